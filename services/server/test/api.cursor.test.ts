import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientApi, clientCredentialsToken, startApiTestServer, type ApiClient } from './support/api.ts';
import { startTestServer, type TestServer } from './support/server.ts';

describe('REST API cursors', () => {
  let server: TestServer;
  let other: TestServer;
  let api: ApiClient;
  const names = Array.from({ length: 7 }, (_, i) => `cursor:${String.fromCharCode(97 + i)}`);
  beforeAll(async () => {
    [server, other] = await Promise.all([startApiTestServer(), startTestServer()]);
    api = await clientApi(server, ['scopes:read', 'scopes:write']);
    for (const name of names) expect((await api.admin.scopes.create({ body: { name, description: name } })).status).toBe(201);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), other?.stop()]);
  });

  async function pageAll(sort: 'name' | '-name' | 'created_at' | '-created_at', insertMidway = false) {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await api.admin.scopes.list({ query: { prefix: 'cursor:', sort, limit: 3, ...(cursor ? { cursor } : {}) } });
      if (page.status !== 200) throw new Error(`status ${page.status}`);
      seen.push(...page.body.items.map((s) => s.name));
      if (insertMidway && i === 0) await api.admin.scopes.create({ body: { name: 'cursor:0', description: 'sorts before the first page' } });
      if (!page.body.next_cursor) return seen;
      cursor = page.body.next_cursor;
    }
    throw new Error('no last page');
  }

  it('pages through every item exactly once, in every sort', async () => {
    expect(await pageAll('name')).toEqual(names);
    expect(await pageAll('-name')).toEqual([...names].reverse());
    expect(await pageAll('created_at')).toEqual(names);
    expect(await pageAll('-created_at')).toEqual([...names].reverse());
  });

  it('is stable: an item added before the current position does not shift later pages', async () => {
    expect(await pageAll('name', true)).toEqual(names);
    await api.admin.scopes.delete({ params: { name: 'cursor:0' } });
  });

  async function firstCursor(query: Record<string, unknown> = { prefix: 'cursor:', sort: 'name' }) {
    const page = await api.admin.scopes.list({ query: { limit: 2, ...query } as never });
    if (page.status !== 200 || !page.body.next_cursor) throw new Error('no cursor');
    return page.body.next_cursor;
  }

  const expectInvalid = async (query: Record<string, unknown>) => {
    const page = await api.admin.scopes.list({ query: { limit: 2, ...query } as never });
    expect(page.status).toBe(400);
    expect(page.body).toMatchObject({ code: 'invalid_cursor', status: 400 });
  };

  it('a tampered cursor (position changed, signature kept) is refused', async () => {
    const cursor = await firstCursor();
    const [, mac] = cursor.split('.');
    const forgedPosition = Buffer.from(JSON.stringify(["' or 1=1 --"])).toString('base64url');
    await expectInvalid({ prefix: 'cursor:', sort: 'name', cursor: `${forgedPosition}.${mac}` });
    await expectInvalid({ prefix: 'cursor:', sort: 'name', cursor: `${cursor.slice(0, -2)}AA` });
    await expectInvalid({ prefix: 'cursor:', sort: 'name', cursor: 'garbage' });
  });

  it('a cursor from another server (other secret) is refused', async () => {
    const otherApi = await clientApi(other, ['scopes:read']);
    const page = await otherApi.admin.scopes.list({ query: { limit: 2, sort: 'name' } });
    if (page.status !== 200 || !page.body.next_cursor) throw new Error('no cursor on the other server');
    await expectInvalid({ sort: 'name', cursor: page.body.next_cursor });
  });

  it('a cursor replayed with other filters or another sort is refused', async () => {
    const cursor = await firstCursor();
    await expectInvalid({ prefix: 'cursor:b', sort: 'name', cursor });
    await expectInvalid({ sort: 'name', cursor });
    await expectInvalid({ prefix: 'cursor:', sort: '-name', cursor });
  });

  it('sort and filters outside the allowlist are validation errors, never SQL', async () => {
    const response = await fetch(`${server.url}/api/v1/admin/scopes?sort=name%3Bdrop%20table%20scopes&limit=2`, {
      headers: { authorization: (await clientCredentialsToken(server, ['scopes:read'])).token.replace(/^/, 'Bearer ') },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'validation_failed', errors: [expect.objectContaining({ path: 'query.sort' })] });
  });
});
