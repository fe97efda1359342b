import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, apiClient, clientCredentialsToken, etag, type ApiClient } from './support/api.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

describe('admin API: scopes', () => {
  let server: TestServer;
  let api: ApiClient;
  let readOnly: ApiClient;
  beforeAll(async () => {
    server = await startTestServer(canUseRealServices ? { backend: 'postgres' } : {});
    api = apiClient(server, (await clientCredentialsToken(server, ['scopes:read', 'scopes:write'])).token);
    readOnly = apiClient(server, (await clientCredentialsToken(server, ['scopes:read'])).token);
  });
  afterAll(() => server?.stop());

  it('creates, gets, lists, updates with If-Match and deletes a scope', async () => {
    const created = await api.admin.scopes.create({ body: { name: 'read:posts', description: 'Read your posts' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'read:posts', description: 'Read your posts', built_in: false });
    const got = await api.admin.scopes.get({ params: { name: 'read:posts' } });
    expect(got.status).toBe(200);
    expect(etag(got)).toBe(etag(created));
    const listed = await api.admin.scopes.list({ query: { prefix: 'read:' } });
    expect(listed.status).toBe(200);
    if (listed.status === 200) expect(listed.body.items.map((s) => s.name)).toEqual(['read:posts']);
    const updated = await api.admin.scopes.update({ params: { name: 'read:posts' }, headers: { 'if-match': etag(got) }, body: { description: 'Read posts' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ description: 'Read posts' });
    expect(etag(updated)).not.toBe(etag(got));
    const deleted = await api.admin.scopes.delete({ params: { name: 'read:posts' } });
    expect(deleted.status).toBe(204);
    expect((await api.admin.scopes.get({ params: { name: 'read:posts' } })).status).toBe(404);
    const events = await server.db.knex('audit_events').where({ subject_type: 'scope', subject_id: 'read:posts' }).orderBy('occurred_at');
    expect(events.map((e) => [e.type, e.actor_type])).toEqual([
      ['scope.created', 'client'],
      ['scope.updated', 'client'],
      ['scope.deleted', 'client'],
    ]);
  });
});
