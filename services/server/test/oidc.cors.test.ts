import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

// A browser app (SPA) calls the token endpoint from its own origin: the origins of a public
// client's registered redirect URIs may, nobody else, and never for a confidential client.
describe('CORS at the token endpoint (clientBasedCORS)', () => {
  const spaOrigin = 'http://127.0.0.1:5173';
  let server: TestServer;
  let tokenEndpoint: string;
  let publicClient: string;
  let confidential: { client_id: string; client_secret?: string };
  const notices: string[] = [];

  beforeAll(async () => {
    vi.spyOn(console, 'info').mockImplementation((...args) => void notices.push(args.join(' ')));
    server = await startTestServer();
    publicClient = (await server.createClient({ public: true, redirect_uris: [`${spaOrigin}/callback`] })).client_id;
    confidential = await server.createClient({ redirect_uris: [`${spaOrigin}/callback`] });
    tokenEndpoint = ((await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string }).token_endpoint;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await server?.stop();
  });

  const redeem = (origin: string, clientId: string, secret?: string) =>
    fetch(tokenEndpoint, {
      method: 'POST',
      headers: { origin, ...(secret ? { authorization: `Basic ${btoa(`${clientId}:${secret}`)}` } : {}) },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'not-a-code', redirect_uri: `${spaOrigin}/callback`, code_verifier: 'x'.repeat(43), client_id: clientId }),
    });

  it('lets a public client\'s redirect origin read the answer (an error here, as the code is made up)', async () => {
    const preflight = await fetch(tokenEndpoint, { method: 'OPTIONS', headers: { origin: spaOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'dpop' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('dpop');
    const response = await redeem(spaOrigin, publicClient);
    expect(response.headers.get('access-control-allow-origin')).toBe(spaOrigin);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('refuses any other origin, and every origin for a confidential client', async () => {
    for (const [origin, client, secret] of [
      ['https://evil.example', publicClient, undefined],
      ['http://127.0.0.1:5174', publicClient, undefined],
      ['null', publicClient, undefined],
      [spaOrigin, confidential.client_id, confidential.client_secret],
    ] as const) {
      const response = await redeem(origin, client, secret);
      expect(response.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(await response.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('not allowed') });
    }
  });

  it('is Latchkey\'s own rule, not the library default it warns about', () => {
    expect(notices.filter((line) => line.includes('clientBasedCORS'))).toEqual([]);
  });
});
