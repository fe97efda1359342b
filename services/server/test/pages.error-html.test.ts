import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, rawRequest } from './support/bad-input.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/** Errors on hosted pages are pages (HTML, right status), never JSON; OIDC endpoints keep OAuth JSON errors. */
describe('hosted-page errors render as pages', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('hosted pages: HTML with the error status', async () => {
    for (const [method, path, body, headers] of [
      ['GET', '/interaction/%E0%A4%A', undefined, {}],
      ['GET', '/interaction/a%00b', undefined, {}],
      ['GET', '/signup?x=%ZZ', undefined, {}],
      ['POST', '/signup', '{"email":"a@example.com"}', { 'content-type': 'application/json' }],
      ['POST', '/interaction/abc/password', 'email=a%00b', form()],
      ['GET', '/dev/mailbox?x=%00', undefined, {}],
      ['GET', '/session/end?state=%ZZ', undefined, {}],
      ['GET', '/device/%ZZ', undefined, {}],
      ['POST', '/signup', `email=${'a'.repeat(60 * 1024)}`, form()],
    ] as const) {
      const response = await rawRequest(server.issuer, { path, method, body, headers: { ...headers } });
      expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${method} ${path}`).toBeLessThan(500);
      expect(response.headers['content-type'], `${method} ${path}`).toMatch(/^text\/html/);
      expect(response.body).toMatch(/^<!doctype html>/i);
    }
  });

  it('OIDC endpoints: OAuth JSON errors', async () => {
    for (const path of ['/token?x=%ZZ', '/device/auth?x=%00', '/me?x=%ZZ', '/jwks?x=%00']) {
      const response = await rawRequest(server.issuer, { path, method: path.startsWith('/me') || path.startsWith('/jwks') ? 'GET' : 'POST', headers: form(), body: '' });
      expect(response.status, path).toBe(400);
      expect(response.headers['content-type'], path).toMatch(/^application\/json/);
      expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_request' });
    }
  });
});
