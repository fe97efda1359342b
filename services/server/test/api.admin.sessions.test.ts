import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithTokens } from './support/account-flow.ts';
import { apiClient, clientApi, clientCredentialsToken, okBody, startApiTestServer, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';
import { SessionBrowser, signInAt } from './support/session-flow.ts';

/**
 * /api/v1/admin/sessions: list a user's browser sessions (live only, or all,
 * page by page) and revoke one; revoking is the CLI's own service, so the
 * session stops working on every server at once.
 */
describe('admin API: sessions', () => {
  let server: TestServer;
  let api: ApiClient;
  let clientId: string;
  beforeAll(async () => {
    server = await startApiTestServer();
    const created = await clientCredentialsToken(server, ['sessions:read', 'sessions:write']);
    clientId = created.clientId;
    api = apiClient(server, created.token);
  });
  afterAll(() => server?.stop());

  const list = async (query: NonNullable<NonNullable<Parameters<ApiClient['admin']['sessions']['list']>[0]>['query']>) => okBody(await api.admin.sessions.list({ query }));

  it('lists a user\'s live sessions; revoking one ends it at once, is audited, and a second revocation is a 409', async () => {
    const person = await signInWithTokens(server);
    const { items } = await list({ user_id: person.userId });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ user_id: person.userId, status: 'active', browser: null, revoked_at: null, ip: expect.stringMatching(/127\.0\.0\.1/) });

    const revoked = await api.admin.sessions.revoke({ params: { id: items[0]!.id }, body: { reason: 'stolen laptop' } });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: items[0]!.id, status: 'revoked', revoked_reason: 'stolen laptop', revoked_at: expect.any(String) });
    expect(await person.silent(server.url)).toBe('login_required');
    expect(await server.db.knex('audit_events').where({ type: 'session.revoked', subject_id: items[0]!.id }).first()).toMatchObject({
      actor_type: 'client',
      actor_id: clientId,
      data: { reason: 'stolen laptop', userId: person.userId },
    });

    expect((await list({ user_id: person.userId })).items).toEqual([]);
    expect((await list({ user_id: person.userId, status: 'all' })).items.map((s) => s.id)).toEqual([items[0]!.id]);
    const again = await api.admin.sessions.revoke({ params: { id: items[0]!.id }, body: {} });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict' });
  });

  it('404 for an unknown session, 400 for a malformed id or an unknown field', async () => {
    expect((await api.admin.sessions.revoke({ params: { id: 'no-such-session' }, body: {} })).status).toBe(404);
    expect((await api.admin.sessions.revoke({ params: { id: 'has space' }, body: {} })).status).toBe(400);
    const person = await signInWithTokens(server);
    const [session] = (await list({ user_id: person.userId })).items;
    const unknown = await api.admin.sessions.revoke({ params: { id: session!.id }, body: { status: 'active' } as never });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.status', message: 'unknown field' }] });
    expect(await person.silent(server.url)).toBe('code');
    expect((await api.admin.sessions.list({ query: { user_id: 'not-a-uuid' } })).status).toBe(400);
    expect((await api.admin.sessions.list({ query: { status: 'revoked' as never } })).status).toBe(400);
    expect((await api.admin.sessions.list({ query: { sort: 'last_activity_at' as never } })).status).toBe(400);
  });

  it('pages through sessions with a signed cursor bound to its filters', async () => {
    const person = await signInWithTokens(server);
    const client = await server.createClient();
    for (let i = 0; i < 2; i++) await signInAt(new SessionBrowser({ 'user-agent': `Browser${i}/1.0` }), { authBase: server.url, pagesBase: server.url, client, accountId: person.userId });
    const all = (await list({ user_id: person.userId, sort: 'created_at' })).items.map((s) => s.id);
    expect(all).toHaveLength(3);
    const first = await list({ user_id: person.userId, sort: 'created_at', limit: 2 });
    expect(first.items.map((s) => s.id)).toEqual(all.slice(0, 2));
    const second = await list({ user_id: person.userId, sort: 'created_at', limit: 2, cursor: first.next_cursor! });
    expect(second).toMatchObject({ items: [{ id: all[2] }], next_cursor: null });
    const other = await api.admin.sessions.list({ query: { sort: 'created_at', limit: 2, cursor: first.next_cursor! } });
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ code: 'invalid_cursor' });
    const forged = await api.admin.sessions.list({ query: { user_id: person.userId, sort: 'created_at', limit: 2, cursor: `${Buffer.from('["2000-01-01T00:00:00Z","x"]').toString('base64url')}.AAAA` } });
    expect(forged.body).toMatchObject({ code: 'invalid_cursor' });
  });

  it('401 without a token, 403 with too few scopes', async () => {
    const person = await signInWithTokens(server);
    const [session] = (await list({ user_id: person.userId })).items;
    const calls = (c: ApiClient) => [c.admin.sessions.list({ query: {} }), c.admin.sessions.revoke({ params: { id: session!.id }, body: {} })];
    expect((await Promise.all(calls(apiClient(server)))).map((r) => r.status)).toEqual([401, 401]);
    const readOnly = await clientApi(server, ['sessions:read']);
    expect((await Promise.all(calls(readOnly))).map((r) => r.status)).toEqual([200, 403]);
    const wrong = await clientApi(server, ['users:read', 'users:write']);
    expect((await Promise.all(calls(wrong))).map((r) => r.status)).toEqual([403, 403]);
    expect(await person.silent(server.url)).toBe('code');
  });
});
