import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientCredentials, createVerifier } from '../src/index.ts';
import { countingFetch, registerApi, serviceClient, startLatchkey, type TestServer } from './support.ts';

/**
 * Attack on the token endpoint (and on the service's own latency): every
 * outgoing call, or every one of many parallel calls, asks for a new token.
 * Proved: parallel getToken() calls make one token request; the token is
 * reused until 80 % of its lifetime, then replaced once in the background
 * while the current one is still handed out; past expiry callers wait for a
 * new one. The tokens are real and verify for the API.
 */
describe('clientCredentials token source', () => {
  let server: TestServer;
  let client: { client_id: string; client_secret: string };
  const api = 'https://cc.api.example.com';

  beforeAll(async () => {
    server = await startLatchkey();
    await registerApi(server, api, ['read:things']);
    client = await serviceClient(server, ['read:things']);
  });
  afterAll(() => server?.stop());

  it('parallel callers share one token request, and the token verifies for the API', async () => {
    const counter = countingFetch();
    const source = clientCredentials({ issuer: server.issuer, clientId: client.client_id, clientSecret: client.client_secret, resource: api, scopes: ['read:things'], fetch: counter.fetch });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(counter.count('/token')).toBe(1);
    const claims = await createVerifier({ issuer: server.issuer, audience: api }).verify(tokens[0]!, { scopes: ['read:things'] });
    expect(claims.client_id).toBe(client.client_id);
  });

  it('refreshes early, once, in the background; waits only when the token has expired', async () => {
    const counter = countingFetch();
    let clock = Date.now();
    const source = clientCredentials({ issuer: server.issuer, clientId: client.client_id, clientSecret: client.client_secret, resource: api, scopes: ['read:things'], fetch: counter.fetch, now: () => clock });
    const first = await source.getToken();
    const { iat, exp } = JSON.parse(Buffer.from(first.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
    const lifetime = (exp - iat) * 1000;

    clock += lifetime * 0.7;
    expect(await source.getToken()).toBe(first);
    expect(counter.count('/token')).toBe(1);

    clock += lifetime * 0.15; // 85 %: still handed out, one refresh starts
    const during = await Promise.all(Array.from({ length: 10 }, () => source.getToken()));
    expect(new Set(during)).toEqual(new Set([first]));
    // Let the background refresh land.
    for (let i = 0; i < 50 && (await source.getToken()) === first; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await source.getToken();
    expect(second).not.toBe(first);
    expect(counter.count('/token')).toBe(2);

    clock += lifetime * 2; // long expired: callers wait for one new token
    const after = await Promise.all(Array.from({ length: 10 }, () => source.getToken()));
    expect(new Set(after).size).toBe(1);
    expect(after[0]).not.toBe(second);
    expect(counter.count('/token')).toBe(3);
  });
});
