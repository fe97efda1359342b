import { randomUUID } from 'node:crypto';
import { API_SCOPE_NAMES } from '@latchkey/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, apiClient, etag, startApiTestServer, userToken, type ApiClient } from './support/api.ts';
import { bodyOf, contractRoutes, fillPath, hasBody, objectShape } from './support/contract-routes.ts';
import type { TestServer } from './support/server.ts';

/**
 * Mass assignment: a body field a route does not declare is refused (400
 * validation_failed naming it), never stored, never merged into an object's
 * prototype. Body routes come from walking the contract.
 */

// Raw JSON, so "__proto__" and "constructor" arrive as own keys, as an attacker sends them.
const SMUGGLED: Record<string, string> = {
  role: '"admin"',
  email_verified: 'true',
  status: '"active"',
  id: `"${randomUUID()}"`,
  scopes: '["users:write"]',
  built_in: 'true',
  secret_hash: '"x"',
  // A computed key: a literal `__proto__:` would set this object's prototype instead.
  ['__proto__']: '{"role":"admin","built_in":true}',
  constructor: '{"prototype":{"role":"admin"}}',
};

const bodyRoutes = contractRoutes.filter((r) => hasBody(r.route));

type Problem = { code?: string; errors?: Array<{ path: string; message: string }> };

describe('REST API: no mass assignment on any route with a body', () => {
  let server: TestServer;
  let admin: { token: string; userId: string };
  let api: ApiClient;

  beforeAll(async () => {
    server = await startApiTestServer();
    admin = await adminToken(server, [...API_SCOPE_NAMES]);
    api = apiClient(server, admin.token);
  }, 60_000);
  afterAll(() => server?.stop());

  const send = async (method: string, path: string, json: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json', ...headers },
      body: json,
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Problem };
  };

  /** Every table's content, hashed: what "changes nothing" means. */
  async function snapshot(): Promise<Record<string, string>> {
    const tables = await server.db.knex('pg_tables').where({ schemaname: 'public' }).pluck('tablename');
    const out: Record<string, string> = {};
    for (const table of tables as string[]) {
      const { rows } = await server.db.knex.raw(`select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from ?? t`, [table]);
      out[table] = rows[0].h;
    }
    return out;
  }

  it('each undeclared field on each body route is a 400 naming it, and no table changes', async () => {
    expect(bodyRoutes.length).toBeGreaterThan(0);
    const before = await snapshot();
    const failures: string[] = [];
    let requests = 0;
    for (const entry of bodyRoutes) {
      const declared = new Set(Object.keys(objectShape(bodyOf(entry.route)) ?? {}));
      const path = fillPath(entry);
      await Promise.all(
        Object.entries(SMUGGLED)
          .filter(([field]) => !declared.has(field))
          .map(async ([field, value]) => {
            requests++;
            const { status, body } = await send(entry.method, path, `{${JSON.stringify(field)}:${value}}`);
            const named = body.errors?.some((e) => e.path === `body.${field}` && e.message === 'unknown field');
            if (status !== 400 || body.code !== 'validation_failed' || !named) {
              failures.push(`${entry.method} ${entry.path} (${entry.name}) + ${field}: ${status} ${JSON.stringify(body).slice(0, 200)}`);
            }
          }),
      );
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(bodyRoutes.length);
    const after = await snapshot();
    expect(Object.keys(after).filter((table) => after[table] !== before[table])).toEqual([]);
    // The server runs in this process: a merged __proto__ or constructor.prototype would show here.
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    expect(({} as Record<string, unknown>).built_in).toBeUndefined();
  });

  it('PATCH /api/v1/me with {"role":"admin","email_verified":true} (valid If-Match): 400, the row is unchanged', async () => {
    const userId = await server.createUser({ email_verified: false, display_name: 'Before' });
    const meToken = (await userToken(server, ['account'], { userId })).token;
    const me = apiClient(server, meToken);
    const row = await server.db.knex('users').where({ id: userId }).first();
    const tag = etag(await me.me.profile.get());
    for (const json of ['{"role":"admin","email_verified":true}', '{"display_name":"After","__proto__":{"role":"admin","email_verified":true}}', '{"display_name":"After","constructor":{"prototype":{"role":"admin"}}}']) {
      const { status, body } = await send('PATCH', '/api/v1/me', json, { authorization: `Bearer ${meToken}`, 'if-match': tag });
      expect(status, json).toBe(400);
      expect(body.code).toBe('validation_failed');
    }
    expect(await server.db.knex('users').where({ id: userId }).first()).toEqual(row);
    expect((await me.me.profile.get()).body).toMatchObject({ email_verified: false, display_name: 'Before' });
  });

  it('admin updates with a valid If-Match and one smuggled field change nothing (users, clients, scopes, resources, webhooks)', async () => {
    const userId = await server.createUser({ email_verified: false });
    const { client_id } = await server.createClient();
    const scope = await api.admin.scopes.create({ body: { name: `mass:${randomUUID().slice(0, 8)}`, description: 'Mass' } });
    const resource = await api.admin.resources.create({ body: { identifier: `https://mass-${randomUUID().slice(0, 8)}.example.com`, scopes: ['a:b'] } as never });
    const hook = await api.admin.webhooks.create({ body: { url: 'https://hooks.example.com/in', event_types: ['user.created'] } });
    expect([scope.status, resource.status, hook.status]).toEqual([201, 201, 201]);
    const resourceId = (resource.body as { id: string }).id;
    const hookId = (hook.body as { id: string }).id;
    const scopeName = (scope.body as { name: string }).name;

    const targets = [
      { table: 'users', where: { id: userId }, path: `/api/v1/admin/users/${userId}`, get: () => api.admin.users.get({ params: { id: userId } }), legal: '"display_name":"X"', smuggle: ['email_verified', 'id', 'scopes', 'secret_hash'] },
      { table: 'clients', where: { id: client_id }, path: `/api/v1/admin/clients/${client_id}`, get: () => api.admin.clients.get({ params: { client_id } }), legal: '"name":"Renamed"', smuggle: ['id', 'secret_hash', 'built_in', 'status'] },
      { table: 'scopes', where: { name: scopeName }, path: `/api/v1/admin/scopes/${encodeURIComponent(scopeName)}`, get: () => api.admin.scopes.get({ params: { name: scopeName } }), legal: '"description":"Changed"', smuggle: ['built_in', 'id'] },
      { table: 'api_resources', where: { id: resourceId }, path: `/api/v1/admin/resources/${resourceId}`, get: () => api.admin.resources.get({ params: { id: resourceId } }), legal: '"name":"Renamed"', smuggle: ['built_in', 'id', 'status'] },
      { table: 'webhooks', where: { id: hookId }, path: `/api/v1/admin/webhooks/${hookId}`, get: () => api.admin.webhooks.get({ params: { id: hookId } }), legal: '"description":"Changed"', smuggle: ['secret_hash', 'id', 'status', 'built_in'] },
    ];
    for (const target of targets) {
      const read = await target.get();
      expect(read.status, target.table).toBe(200);
      const row = await server.db.knex(target.table).where(target.where).first();
      expect(row, target.table).toBeDefined();
      // Smuggled beside a legal change, the whole request is refused.
      for (const field of [...target.smuggle, '__proto__', 'constructor']) {
        const { status, body } = await send('PATCH', target.path, `{${target.legal},${JSON.stringify(field)}:${SMUGGLED[field]}}`, { 'if-match': etag(read) });
        expect(status, `${target.table} + ${field}`).toBe(400);
        expect(body.errors?.map((e) => e.path), `${target.table} + ${field}`).toContain(`body.${field}`);
      }
      expect(await server.db.knex(target.table).where(target.where).first(), target.table).toEqual(row);
      // The same request without the smuggled field goes through: only that field was refused.
      expect((await send('PATCH', target.path, `{${target.legal}}`, { 'if-match': etag(read) })).status, target.table).toBe(200);
    }
  });

  it('creates with a smuggled field store nothing (user as admin with verified email, built-in scope, token for another user)', async () => {
    const email = `mass-${randomUUID().slice(0, 8)}@example.com`;
    const user = await send('POST', '/api/v1/admin/users', JSON.stringify({ email, role: 'user', email_verified: false, status: 'blocked', id: randomUUID() }));
    expect(user.status).toBe(400);
    expect(await server.db.knex('users').where({ email }).first()).toBeUndefined();

    const name = `mass:${randomUUID().slice(0, 8)}`;
    const scope = await send('POST', '/api/v1/admin/scopes', JSON.stringify({ name, description: 'x', built_in: true }));
    expect(scope.status).toBe(400);
    expect(await server.db.knex('scopes').where({ name }).first()).toBeUndefined();

    const victim = await server.createUser();
    const owner = await server.createUser();
    const ownerToken = (await userToken(server, ['account'], { userId: owner })).token;
    const tokens = await send('POST', '/api/v1/me/api-tokens', JSON.stringify({ name: 'smuggled', scopes: ['account'], user_id: victim, status: 'active' }), { authorization: `Bearer ${ownerToken}` });
    expect(tokens.status).toBe(400);
    expect(tokens.body.errors?.map((e) => e.path).sort()).toEqual(['body.status', 'body.user_id']);
    expect(await server.db.knex('api_tokens').where({ name: 'smuggled' }).first()).toBeUndefined();
  });
});
