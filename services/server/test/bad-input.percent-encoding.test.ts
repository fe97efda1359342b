import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClientError, form, rawRequest } from './support/bad-input.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/** Malformed percent-encoding (truncated, non-hex, invalid or overlong UTF-8) in path, query or body: a 4xx, never a 500. */
describe('bad input: malformed percent-encoding', () => {
  let server: TestServer;
  let basic: string;
  beforeAll(async () => {
    server = await startTestServer();
    const created = await server.createClient();
    basic = `Basic ${Buffer.from(`${created.client_id}:${created.client_secret}`).toString('base64')}`;
  });
  afterAll(() => server?.stop());

  const BAD = ['%E0%A4%A', '%ZZ', '%', '%C0%AF', '%ED%A0%80', '%FF'];

  it('in the path of hosted pages and OIDC endpoints', async () => {
    for (const bad of BAD) {
      for (const path of [`/interaction/${bad}`, `/interaction/${bad}/password`, `/device/${bad}`, `/signup/${bad}`, `/reg/${bad}`, `/${bad}`]) {
        expectClientError(await rawRequest(server.issuer, { path }), path);
      }
    }
  });

  it('in the query string', async () => {
    for (const bad of BAD) {
      for (const path of [`/auth?client_id=${bad}`, `/session/end?state=${bad}`, `/device?user_code=${bad}`, `/jwks?x=${bad}`]) {
        expectClientError(await rawRequest(server.issuer, { path }), path);
      }
    }
  });

  it('in form bodies', async () => {
    for (const bad of BAD) {
      for (const [path, headers] of [['/token', { authorization: basic }], ['/signup', {}], ['/interaction/abc/password', {}]] as const) {
        const response = await rawRequest(server.issuer, { path, method: 'POST', headers: form(headers), body: `grant_type=${bad}&token=${bad}&email=${bad}` });
        expect(response.status, `${path} ${bad}`).not.toBe(200);
        expectClientError(response, `${path} ${bad}`);
      }
    }
  });
});
