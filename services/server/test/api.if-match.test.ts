import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientApi, startApiTestServer } from './support/api.ts';
import type { TestServer } from './support/server.ts';

describe('If-Match versions that no row can have', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startApiTestServer();
  });
  afterAll(() => server?.stop());

  it('a 20-digit ETag (beyond any version) is a 412, never a 500', async () => {
    const api = await clientApi(server, ['scopes:write', 'webhooks:write']);
    const huge = '"99999999999999999999"';
    await api.admin.scopes.create({ body: { name: 'big:etag', description: 'Big' } });
    const scope = await api.admin.scopes.update({ params: { name: 'big:etag' }, headers: { 'if-match': huge }, body: { description: 'x' } });
    expect(scope.status, JSON.stringify(scope.body)).toBe(412);
    const created = await api.admin.webhooks.create({ body: { url: 'https://hooks.example.com/in', event_types: ['user.created'] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = (created.body as { id: string }).id;
    const hook = await api.admin.webhooks.update({ params: { id }, headers: { 'if-match': huge }, body: { description: 'x' } });
    expect(hook.status, JSON.stringify(hook.body)).toBe(412);
  });
});
