import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, clientApi, clientCredentialsToken, okBody, personalToken, startApiTestServer, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * /api/v1/admin/audit-events: the audit log, newest first, filtered by
 * actor, subject, type and time; read-only. Writes through the API name
 * their actor: a client, or a personal API token's owner and the token.
 */
describe('admin API: audit events', () => {
  let server: TestServer;
  let api: ApiClient;
  let clientId: string;
  beforeAll(async () => {
    server = await startApiTestServer();
    const created = await clientCredentialsToken(server, ['audit:read', 'users:write']);
    clientId = created.clientId;
    api = apiClient(server, created.token);
  });
  afterAll(() => server?.stop());

  const list = async (query: NonNullable<NonNullable<Parameters<ApiClient['admin']['auditEvents']['list']>[0]>['query']>) => okBody(await api.admin.auditEvents.list({ query }));

  it('filters by subject, type and actor, newest first; a PAT write names its owner and token', async () => {
    const userId = await server.createUser();
    expect((await api.admin.users.block({ params: { id: userId }, body: { reason: 'spam' } })).status).toBe(200);
    const pat = await personalToken(server, ['users:write'], { role: 'admin' });
    expect((await apiClient(server, pat.token).admin.users.unblock({ params: { id: userId }, body: {} })).status).toBe(200);

    const about = await list({ subject_type: 'user', subject_id: userId });
    expect(about.items.map((e) => e.type)).toEqual(['user.unblocked', 'grant.revoked', 'user.blocked']);
    expect(about.items[2]).toMatchObject({ actor: { type: 'client', id: clientId }, subject: { type: 'user', id: userId }, data: { reason: 'spam' } });
    expect(about.items[0]).toMatchObject({ actor: { type: 'user', id: pat.userId }, data: { via: 'api_token', token_id: pat.tokenId } });
    expect(Date.parse(about.items[0]!.occurred_at)).toBeGreaterThanOrEqual(Date.parse(about.items[2]!.occurred_at));

    expect((await list({ subject_id: userId, type: 'user.blocked' })).items.map((e) => e.type)).toEqual(['user.blocked']);
    expect((await list({ subject_id: userId, actor_type: 'user' })).items.map((e) => e.type)).toEqual(['user.unblocked']);
    expect((await list({ actor_id: pat.userId })).items.map((e) => e.subject?.id)).toContain(userId);
  });

  it('filters by time range and pages with a cursor bound to the filters', async () => {
    const userId = await server.createUser();
    const start = new Date(Date.now() - 1000).toISOString();
    for (const action of ['block', 'unblock', 'block'] as const) await api.admin.users[action]({ params: { id: userId }, body: {} });
    const all = (await list({ subject_id: userId, occurred_after: start })).items.map((e) => e.id);
    expect(all).toHaveLength(5);
    expect((await list({ subject_id: userId, occurred_before: start })).items).toEqual([]);

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = await list({ subject_id: userId, limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((e) => e.id));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(all);
    const first = await list({ subject_id: userId, limit: 2 });
    expect((await api.admin.auditEvents.list({ query: { limit: 2, cursor: first.next_cursor! } })).body).toMatchObject({ code: 'invalid_cursor' });
    const tampered = `${first.next_cursor!.split('.')[0]}x.${first.next_cursor!.split('.')[1]}`;
    expect((await api.admin.auditEvents.list({ query: { subject_id: userId, limit: 2, cursor: tampered } })).body).toMatchObject({ code: 'invalid_cursor' });
  });

  it('filter values outside the allowlist and SQL-looking values are a 400; the log is read-only', async () => {
    const count = async () => (await server.db.knex('audit_events').count({ n: '*' }).first())?.n;
    const before = await count();
    for (const query of [
      { actor_type: 'admin' },
      { type: "user.blocked' or '1'='1" },
      { subject_id: 'x; delete from audit_events' },
      { actor_id: 'a b' },
      { occurred_after: 'last week' },
      { sort: 'occurred_at' },
      { data: 'x' },
    ]) {
      const answer = await api.admin.auditEvents.list({ query: query as never });
      expect(answer.status, JSON.stringify(query)).toBe(400);
      expect(answer.body).toMatchObject({ code: 'validation_failed' });
    }
    for (const method of ['POST', 'PATCH', 'DELETE']) {
      const answer = await fetch(`${server.url}/api/v1/admin/audit-events`, { method, headers: { authorization: `Bearer ${(await clientCredentialsToken(server, ['audit:read'])).token}` } });
      expect(answer.status).toBe(404);
    }
    expect(await count()).toBe(before);
  });

  it('401 without a token, 403 without audit:read', async () => {
    expect((await apiClient(server).admin.auditEvents.list({ query: {} })).status).toBe(401);
    const other = await clientApi(server, ['users:read', 'users:write']);
    const refused = await other.admin.auditEvents.list({ query: {} });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="audit:read"/);
  });
});
