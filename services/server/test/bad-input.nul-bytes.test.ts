import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClientError, form, rawRequest } from './support/bad-input.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * NUL bytes in parameters reached Postgres (text and jsonb cannot hold them)
 * and came back as 500s. Each is now a 4xx, and nothing is written.
 */
describe('bad input: NUL bytes in query and body parameters', () => {
  let server: TestServer;
  let basic: string;
  let client_id: string;
  beforeAll(async () => {
    server = await startTestServer();
    const created = await server.createClient();
    client_id = created.client_id;
    basic = `Basic ${Buffer.from(`${created.client_id}:${created.client_secret}`).toString('base64')}`;
  });
  afterAll(() => server?.stop());

  const counts = async () => {
    const row = await server.db.knex.raw(`select (select count(*) from users)::int as users, (select count(*) from sessions)::int as sessions,
      (select count(*) from interactions)::int as interactions, (select count(*) from verification_codes)::int as codes`);
    return (row as { rows: unknown[] }).rows[0];
  };
  const send = (path: string, body?: string, headers: Record<string, string> = {}) =>
    rawRequest(server.issuer, { path, method: body === undefined ? 'GET' : 'POST', headers: body === undefined ? headers : form(headers), body });

  it('in the query string of the authorization, logout, device and hosted pages', async () => {
    const before = await counts();
    const redirect = encodeURIComponent('http://127.0.0.1:9999/callback');
    for (const path of [
      `/auth?client_id=a%00b&response_type=code&scope=openid`,
      `/auth?client_id=${client_id}&response_type=code&scope=openid&redirect_uri=${redirect}&state=a%00b&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
      '/session/end?client_id=a%00b',
      '/device?user_code=AB%00CD',
      '/signup?invitation=a%00b',
      '/interaction/a%00b',
      '/me?x=%00',
      '/.well-known/openid-configuration?x=%00',
    ]) {
      expectClientError(await send(path), path);
    }
    expect(await counts()).toEqual(before);
  });

  it('in the bodies of the token, introspection, revocation and logout endpoints', async () => {
    const before = await counts();
    for (const [path, body, headers] of [
      ['/token', 'grant_type=client_credentials&client_id=a%00b&client_secret=x', {}],
      ['/token', 'grant_type=refresh_token&refresh_token=a%00b', { authorization: basic }],
      ['/token', `grant_type=authorization_code&code=a%00b&redirect_uri=x&code_verifier=${'a'.repeat(43)}`, { authorization: basic }],
      ['/token', 'grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=a%00b', { authorization: basic }],
      ['/token/introspection', 'token=a%00b', { authorization: basic }],
      ['/token/revocation', 'token=a%00b', { authorization: basic }],
      ['/session/end', 'client_id=a%00b&state=x%00', {}],
      ['/request', `response_type=code&scope=openid&state=a%00b&redirect_uri=${encodeURIComponent('http://127.0.0.1:9999/callback')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`, { authorization: basic }],
    ] as const) {
      const response = await send(path, body, headers);
      // Revocation answers 200 for a token it does not know (RFC 7009); introspection says inactive.
      if (path === '/token/revocation' || path === '/token/introspection') expect(response.status, `${path} ${body}`).toBe(200);
      else expectClientError(response, `${path} ${body}`);
      if (path === '/token/introspection') expect(JSON.parse(response.body)).toEqual({ active: false });
    }
    expect(await counts()).toEqual(before);
  });

  it('in the fields of hosted forms: refused before any lookup, nothing written', async () => {
    const before = await counts();
    for (const path of ['/signup', '/interaction/abc/password', '/interaction/abc/email-code']) {
      expectClientError(await send(path, 'email=a%00b%40example.com&password=x&csrf=y'), path);
    }
    expect(await counts()).toEqual(before);
  });
});
