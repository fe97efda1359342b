import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithTokens } from './support/account-flow.ts';
import { apiClient, clientApi, clientCredentialsToken, okBody, startApiTestServer, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * /api/v1/admin/grants: what users allowed apps to do, by user and by
 * client; revoking one takes its access and refresh tokens with it.
 */
describe('admin API: grants', () => {
  let server: TestServer;
  let api: ApiClient;
  let clientId: string;
  beforeAll(async () => {
    server = await startApiTestServer();
    const created = await clientCredentialsToken(server, ['grants:read', 'grants:write']);
    clientId = created.clientId;
    api = apiClient(server, created.token);
  });
  afterAll(() => server?.stop());

  const list = async (query: NonNullable<NonNullable<Parameters<ApiClient['admin']['grants']['list']>[0]>['query']>) => okBody(await api.admin.grants.list({ query }));

  it('lists a user\'s grants; revoking one kills its tokens, is audited, and a second revocation is a 409', async () => {
    const person = await signInWithTokens(server);
    const { items } = await list({ user_id: person.userId });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ user_id: person.userId, client_id: person.client.client_id, scopes: expect.arrayContaining(['openid', 'offline_access']), revoked_at: null });
    expect((await list({ client_id: person.client.client_id })).items.map((g) => g.id)).toEqual([items[0]!.id]);

    const revoked = await api.admin.grants.revoke({ params: { id: items[0]!.id }, body: { reason: 'app compromised' } });
    expect(revoked.status).toBe(204);
    expect(await client.tokenIntrospection(person.config, person.tokens.access_token)).toEqual({ active: false });
    await expect(client.refreshTokenGrant(person.config, person.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await server.db.knex('audit_events').where({ type: 'grant.revoked', subject_id: person.userId }).first()).toMatchObject({
      actor_type: 'client',
      actor_id: clientId,
      client_id: person.client.client_id,
      data: { grantId: items[0]!.id, reason: 'app compromised' },
    });
    // The browser session stays signed in (a grant is not a session): the app must ask for consent again.
    expect(await person.silent(server.url)).toBe('consent_required');

    expect((await list({ user_id: person.userId })).items.map((g) => g.id)).not.toContain(items[0]!.id);
    expect((await list({ user_id: person.userId, status: 'all' })).items.find((g) => g.id === items[0]!.id)).toMatchObject({ revoked_at: expect.any(String) });
    const again = await api.admin.grants.revoke({ params: { id: items[0]!.id }, body: {} });
    expect(again.status).toBe(409);
  });

  it('404 for an unknown grant; 400 for a malformed id, an unknown field or a filter outside the allowlist', async () => {
    expect((await api.admin.grants.revoke({ params: { id: 'no-such-grant' }, body: {} })).status).toBe(404);
    expect((await api.admin.grants.revoke({ params: { id: 'a b' }, body: {} })).status).toBe(400);
    expect((await api.admin.grants.revoke({ params: { id: 'x' }, body: { user_id: 'x' } as never })).status).toBe(400);
    expect((await api.admin.grants.list({ query: { user_id: "' or 1=1 --" } })).status).toBe(400);
    expect((await api.admin.grants.list({ query: { client_id: "a' or 'x'='x" } })).status).toBe(400);
    expect((await api.admin.grants.list({ query: { sort: 'expires_at' as never } })).status).toBe(400);
  });

  it('pages by client with a cursor bound to the filter', async () => {
    const app = await server.createClient();
    const people = [];
    for (let i = 0; i < 3; i++) people.push(await signInWithTokens(server, { client: app }));
    const first = await list({ client_id: app.client_id, sort: 'created_at', limit: 2 });
    expect(first.items.map((g) => g.user_id)).toEqual(people.slice(0, 2).map((p) => p.userId));
    const second = await list({ client_id: app.client_id, sort: 'created_at', limit: 2, cursor: first.next_cursor! });
    expect(second).toMatchObject({ items: [{ user_id: people[2]!.userId }], next_cursor: null });
    const replayed = await api.admin.grants.list({ query: { sort: 'created_at', limit: 2, cursor: first.next_cursor! } });
    expect(replayed.body).toMatchObject({ code: 'invalid_cursor' });
  });

  it('401 without a token, 403 with too few scopes', async () => {
    const person = await signInWithTokens(server);
    const [grant] = (await list({ user_id: person.userId })).items;
    const calls = (c: ApiClient) => [c.admin.grants.list({ query: {} }), c.admin.grants.revoke({ params: { id: grant!.id }, body: {} })];
    expect((await Promise.all(calls(apiClient(server)))).map((r) => r.status)).toEqual([401, 401]);
    const readOnly = await clientApi(server, ['grants:read']);
    expect((await Promise.all(calls(readOnly))).map((r) => r.status)).toEqual([200, 403]);
    const wrong = await clientApi(server, ['sessions:read', 'sessions:write']);
    expect((await Promise.all(calls(wrong))).map((r) => r.status)).toEqual([403, 403]);
    expect(await client.tokenIntrospection(person.config, person.tokens.access_token)).toMatchObject({ active: true });
  });
});
