import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, clientApi, clientCredentialsToken, etag, startApiTestServer, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';

describe('admin API: scopes', () => {
  let server: TestServer;
  let api: ApiClient;
  let readOnly: ApiClient;
  beforeAll(async () => {
    server = await startApiTestServer();
    api = await clientApi(server, ['scopes:read', 'scopes:write']);
    readOnly = await clientApi(server, ['scopes:read']);
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

  it('validation: unknown fields (mass assignment), bad names and empty descriptions are 400 validation_failed', async () => {
    const unknown = await api.admin.scopes.create({ body: { name: 'a:b', description: 'A', built_in: true } as never });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.built_in', message: 'unknown field' }] });
    const badName = await api.admin.scopes.create({ body: { name: 'has space', description: 'A' } });
    expect(badName.status).toBe(400);
    expect(badName.body).toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({ path: 'body.name' })] });
    const emptyUpdate = await api.admin.scopes.update({ params: { name: 'openid' }, headers: { 'if-match': '"1"' }, body: { description: '   ' } });
    expect(emptyUpdate.status).toBe(400);
    const badLimit = await api.admin.scopes.list({ query: { limit: 1000 } });
    expect(badLimit.status).toBe(400);
    const notJson = await fetch(`${server.url}/api/v1/admin/scopes`, { method: 'POST', headers: { authorization: `Bearer ${(await clientCredentialsToken(server, ['scopes:write'])).token}`, 'content-type': 'application/json' }, body: '{"name":' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: 'validation_failed' });
    expect((await api.admin.scopes.get({ params: { name: 'nope' } })).status).toBe(404);
  });

  it('401 without a token and 403 with too few scopes on every route', async () => {
    const anonymous = apiClient(server);
    const calls = (c: ApiClient) => [
      c.admin.scopes.list({ query: {} }),
      c.admin.scopes.get({ params: { name: 'users:read' } }),
      c.admin.scopes.create({ body: { name: 'p:q', description: 'P' } }),
      c.admin.scopes.update({ params: { name: 'users:read' }, headers: { 'if-match': '"1"' }, body: { description: 'x' } }),
      c.admin.scopes.delete({ params: { name: 'users:read' } }),
    ];
    for (const response of await Promise.all(calls(anonymous))) expect(response.status).toBe(401);
    const statuses = (await Promise.all(calls(readOnly))).map((r) => r.status);
    expect(statuses).toEqual([200, 200, 403, 403, 403]);
    const none = await clientApi(server, ['users:read']);
    expect((await Promise.all(calls(none))).map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
  });

  it('404 for a missing scope on get, update and delete', async () => {
    expect((await api.admin.scopes.get({ params: { name: 'missing:scope' } })).status).toBe(404);
    expect((await api.admin.scopes.update({ params: { name: 'missing:scope' }, headers: { 'if-match': '"1"' }, body: { description: 'x' } })).status).toBe(404);
    expect((await api.admin.scopes.delete({ params: { name: 'missing:scope' } })).status).toBe(404);
  });

  it('409 for a duplicate name and for deleting a scope of the built-in API', async () => {
    expect((await api.admin.scopes.create({ body: { name: 'dup:scope', description: 'One' } })).status).toBe(201);
    const dup = await api.admin.scopes.create({ body: { name: 'dup:scope', description: 'Two' } });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'conflict' });
    const builtIn = await api.admin.scopes.get({ params: { name: 'users:read' } });
    expect(builtIn.body).toMatchObject({ built_in: true });
    expect((await api.admin.scopes.delete({ params: { name: 'users:read' } })).status).toBe(409);
  });

  it('428 without If-Match, 412 with a stale ETag: two admins never overwrite each other', async () => {
    await api.admin.scopes.create({ body: { name: 'race:scope', description: 'Original' } });
    const read = await api.admin.scopes.get({ params: { name: 'race:scope' } });
    const missing = await api.admin.scopes.update({ params: { name: 'race:scope' }, headers: {}, body: { description: 'No precondition' } });
    expect(missing.status).toBe(428);
    expect(missing.body).toMatchObject({ code: 'precondition_required' });
    const [first, second] = await Promise.all(
      ['First', 'Second'].map((description) => api.admin.scopes.update({ params: { name: 'race:scope' }, headers: { 'if-match': etag(read) }, body: { description } })),
    );
    expect([first!.status, second!.status].sort()).toEqual([200, 412]);
    const loser = first!.status === 412 ? first! : second!;
    expect(loser.body).toMatchObject({ code: 'precondition_failed' });
    const star = await api.admin.scopes.update({ params: { name: 'race:scope' }, headers: { 'if-match': '*' }, body: { description: 'Star' } });
    expect(star.status).toBe(412);
  });
});
