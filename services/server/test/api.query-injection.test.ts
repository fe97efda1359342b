import { randomBytes, randomUUID } from 'node:crypto';
import { API_SCOPE_NAMES } from '@latchkey/contract';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, apiClient, personalToken, startApiTestServer, userToken, type ApiClient } from './support/api.ts';
import { contractRoutes, fillPath, objectShape, unwrap, type ContractRoute } from './support/contract-routes.ts';
import type { TestServer } from './support/server.ts';

/**
 * List routes under hostile query strings: sort and filters only from the
 * contract's allowlists, LIKE wildcards matched literally, nothing ever a
 * 5xx; cursors only valid for the exact list, filters and sort they came
 * from. Lists come from walking the contract.
 */

const HOSTILE = ["'; drop table users;--", 'email desc', '1 or 1=1', '%', '_', '\0', 'x'.repeat(10 * 1024)];

const listRoutes = contractRoutes.filter((r) => r.method === 'GET' && objectShape(r.route.query));
const cursorRoutes = listRoutes.filter((r) => 'cursor' in objectShape(r.route.query)!);

/** Whether some string in `item` contains `value` as it is: a wildcard that matched as one would return rows without it. */
const holdsLiterally = (item: unknown, value: string): boolean =>
  typeof item === 'string' ? item.toLowerCase().includes(value.toLowerCase()) : typeof item === 'object' && item !== null && Object.values(item).some((v) => holdsLiterally(v, value));

type Page = { items?: unknown[]; next_cursor?: string | null; code?: string; errors?: Array<{ path: string }> };

/** A value the field accepts that differs from its default: replaying a cursor with it changes the list. */
function otherValue(schema: z.ZodTypeAny): string | undefined {
  const fallback = schema instanceof z.ZodDefault ? String(schema._def.defaultValue()) : undefined;
  const inner = unwrap(schema);
  const candidates = inner instanceof z.ZodEnum ? (inner.options as string[]) : ['esc', randomUUID(), new Date().toISOString(), '1'];
  return candidates.find((value) => value !== fallback && schema.safeParse(value).success);
}

describe('REST API list routes: query injection and forged cursors', () => {
  let server: TestServer;
  let token: string;
  let api: ApiClient;
  const params: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    server = await startApiTestServer();
    const admin = await adminToken(server, [...API_SCOPE_NAMES]);
    token = admin.token;
    api = apiClient(server, token);
    // Two of everything, so each list has a second page (and so a cursor); the pairs differ only where a wildcard would match.
    await userToken(server, ['account']);
    for (const name of ['esc_1:x', 'escA1:x', 'esc%z:x']) expect((await api.admin.scopes.create({ body: { name, description: name } })).status).toBe(201);
    for (const name of ['esc_c', 'escXc']) await server.createClient({ name });
    for (const identifier of ['https://esc.example.com/a_b', 'https://esc.example.com/aXb']) {
      expect((await api.admin.resources.create({ body: { identifier } })).status).toBe(201);
    }
    for (const email of ['inv1@example.com', 'inv2@example.com']) expect((await api.admin.invitations.create({ body: { email } })).status).toBe(201);
    for (let i = 0; i < 2; i++) await personalToken(server, ['account'], { userId: admin.userId });
    // Webhooks first: the two users below then give each of them two deliveries.
    const hooks: string[] = [];
    for (let i = 0; i < 2; i++) {
      const hook = await api.admin.webhooks.create({ body: { url: 'https://hooks.example.invalid/in', event_types: ['user.created'] } });
      expect(hook.status).toBe(201);
      hooks.push((hook.body as { id: string }).id);
    }
    for (const email of ['esc_a@example.com', 'escxa@example.com']) expect((await api.admin.users.create({ body: { email } })).status).toBe(201);
    params['admin.webhooks.listDeliveries'] = { id: hooks[0]! };
  }, 120_000);
  afterAll(() => server?.stop());

  const list = async (entry: ContractRoute, query: Record<string, string>) => {
    const path = fillPath(entry, params[entry.name]);
    const response = await fetch(`${server.url}${path}?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Page };
  };

  const describeCall = (entry: ContractRoute, query: Record<string, string>) =>
    `${entry.name} ?${Object.entries(query).map(([k, v]) => `${k}=${JSON.stringify(v.length > 40 ? `${v.slice(0, 20)}…(${v.length})` : v)}`).join('&')}`;

  it('hostile sort and filter values: a 400, or only rows holding the value literally, never a 5xx', async () => {
    expect(listRoutes.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const entry of listRoutes) {
      const fields = Object.keys(objectShape(entry.route.query)!).filter((field) => field !== 'cursor');
      await Promise.all(
        fields.flatMap((field) =>
          HOSTILE.map(async (value) => {
            const query = { [field]: value };
            const { status, body } = await list(entry, query);
            const ok =
              status === 400
                ? body.code === 'validation_failed' && (value === '\0' || body.errors?.some((e) => e.path === `query.${field}`))
                : status === 200 && field !== 'sort' && Array.isArray(body.items) && body.items.every((item) => holdsLiterally(item, value));
            if (!ok) failures.push(`${describeCall(entry, query)} → ${status} ${JSON.stringify(body).slice(0, 160)}`);
          }),
        ),
      );
    }
    expect(failures).toEqual([]);
    // And nothing was dropped.
    expect(Number((await server.db.knex('users').count({ n: '*' }).first())!.n)).toBeGreaterThan(2);
  });

  it('LIKE wildcards in prefix and contains filters match only themselves', async () => {
    const names = async (call: Promise<{ status: number; body: unknown }>, key: string) => {
      const { status, body } = await call;
      expect(status).toBe(200);
      return (body as { items: Array<Record<string, string>> }).items.map((item) => item[key]).sort();
    };
    expect(await names(api.admin.scopes.list({ query: { prefix: 'esc_' } }), 'name')).toEqual(['esc_1:x']);
    expect(await names(api.admin.scopes.list({ query: { prefix: 'esc%' } }), 'name')).toEqual(['esc%z:x']);
    expect(await names(api.admin.users.list({ query: { email_prefix: 'esc_' } }), 'email')).toEqual(['esc_a@example.com']);
    expect(await names(api.admin.users.list({ query: { email_contains: 'c_a' } }), 'email')).toEqual(['esc_a@example.com']);
    expect(await names(api.admin.users.list({ query: { email_contains: '%' } }), 'email')).toEqual([]);
    expect(await names(api.admin.clients.list({ query: { name_prefix: 'esc_' } }), 'name')).toEqual(['esc_c']);
    expect(await names(api.admin.resources.list({ query: { identifier_prefix: 'https://esc.example.com/a_' } }), 'identifier')).toEqual(['https://esc.example.com/a_b']);
  });

  it('forged cursors are 400 invalid_cursor on every paginated list: random, from another list, a flipped byte, replayed with other filters or sort', async () => {
    expect(cursorRoutes.length).toBeGreaterThan(0);
    const cursors = new Map<string, string>();
    const failures: string[] = [];
    for (const entry of cursorRoutes) {
      const { status, body } = await list(entry, { limit: '1' });
      if (status !== 200 || !body.next_cursor) failures.push(`${entry.name}: no second page to take a cursor from (${status}); seed this list in beforeAll`);
      else cursors.set(entry.name, body.next_cursor);
    }
    expect(failures).toEqual([]);

    const flip = (value: string, at: number) => `${value.slice(0, at)}${value[at] === 'A' ? 'B' : 'A'}${value.slice(at + 1)}`;
    for (const entry of cursorRoutes) {
      const cursor = cursors.get(entry.name)!;
      // The real cursor works: what follows fails for what was changed, nothing else.
      const genuine = await list(entry, { limit: '1', cursor });
      if (genuine.status !== 200) failures.push(`${entry.name}: its own cursor → ${genuine.status}`);
      const [payload, mac] = cursor.split('.');
      const other = [...cursors].find(([name]) => name !== entry.name)![1];
      const forged: Array<[string, Record<string, string>]> = [
        ['random', { cursor: randomBytes(40).toString('base64url') }],
        ['random with a dot', { cursor: `${randomBytes(20).toString('base64url')}.${randomBytes(32).toString('base64url')}` }],
        ['from another list', { cursor: other }],
        ['payload byte flipped', { cursor: `${flip(payload!, Math.floor(payload!.length / 2))}.${mac}` }],
        ['signature byte flipped', { cursor: `${payload}.${flip(mac!, 5)}` }],
      ];
      for (const [field, schema] of Object.entries(objectShape(entry.route.query)!)) {
        if (field === 'cursor' || field === 'limit') continue;
        const value = otherValue(schema);
        if (value !== undefined) forged.push([`replayed with ${field}=${value}`, { cursor, [field]: value }]);
      }
      for (const [what, query] of forged) {
        const { status, body } = await list(entry, { limit: '1', ...query });
        if (status !== 400 || body.code !== 'invalid_cursor') failures.push(`${entry.name} cursor ${what} → ${status} ${body.code ?? ''}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
