import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCredentialsToken, startApiTestServer } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * The REST API is built on the first /api request after a start (app.ts), not
 * at start. Requests that all arrive before it is built wait for the same one
 * and each gets its own right answer.
 */
describe('the first /api requests after a start', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startApiTestServer();
    // A token from /token, so nothing has asked /api for anything yet.
    token = (await clientCredentialsToken(server, ['clients:read'])).token;
  });
  afterAll(() => server?.stop());

  it('answer together, each as the API would: 200, 401, 403 and 404 problems', async () => {
    const get = (path: string, bearer?: string) => fetch(`${server.issuer}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
    const answers = await Promise.all([
      get('/api/v1/admin/clients', token),
      get('/api/v1/admin/clients'),
      get('/api/v1/admin/users', token),
      get('/api/v1/no-such-thing', token),
      get('/api/v1/admin/clients', token),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 401, 403, 404, 200]);
    for (const answer of answers.slice(1, 4)) expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const listed = (await answers[0]!.json()) as { items: unknown[] };
    expect(Array.isArray(listed.items)).toBe(true);
  });
});
