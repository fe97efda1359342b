import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextIp, TRUST_LOOPBACK } from './support/forwarded.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

/**
 * Attack: guess a confidential client's secret at the token endpoint (and
 * the other endpoints that authenticate clients the same way). Wrong
 * secrets are failures per (client, IP) with growing delays and per IP with
 * a hard budget, so 80 wrong secrets from one IP meet a 429 whatever
 * X-Forwarded-For claims; there is no per-client lock, so the real client on
 * its own address still gets tokens.
 */
const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

/** An openid-client configuration for `clientId` with `secret`, whose requests claim X-Forwarded-For `forwardedFor`. */
async function rp(server: TestServer, clientId: string, secret: string, forwardedFor: () => string): Promise<client.Configuration> {
  const config = await client.discovery(new URL(server.issuer), clientId, { client_secret: secret }, undefined, { execute: [client.allowInsecureRequests] });
  config[client.customFetch] = (url, options) => {
    const headers = new Headers(options.headers as ConstructorParameters<typeof Headers>[0]);
    headers.set('x-forwarded-for', forwardedFor());
    return fetch(url, { ...options, headers } as RequestInit);
  };
  return config;
}

/** The HTTP status a token request ends with. */
async function tokenStatus(config: client.Configuration): Promise<number> {
  try {
    await client.clientCredentialsGrant(config);
    return 200;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (typeof status !== 'number') throw error;
    return status;
  }
}

describe.each(backends)('failed client authentication (%s)', (backend) => {
  let direct: TestServer;
  let proxied: TestServer;
  beforeAll(async () => {
    [direct, proxied] = await Promise.all([startTestServer({ backend }), startTestServer({ backend, env: TRUST_LOOPBACK })]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([direct?.stop(), proxied?.stop()]);
  });

  it('80 wrong secrets from one IP with a spoofed X-Forwarded-For meet a 429 with Retry-After', async () => {
    const { client_id } = await direct.createClient();
    const attacker = await rp(direct, client_id, 'not-the-secret', nextIp);
    const statuses: number[] = [];
    for (let i = 0; i < 80; i += 1) statuses.push(await tokenStatus(attacker));
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 401).length).toBeLessThan(80);

    const raw = await fetch(`${direct.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client_id}:still-wrong`).toString('base64')}`, 'x-forwarded-for': nextIp() },
      body: 'grant_type=client_credentials',
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await raw.json()).toMatchObject({ error: 'temporarily_unavailable' });
  });

  it('80 parallel wrong secrets from one IP, at introspection too, cannot overshoot the per-IP budget', async () => {
    const { client_id } = await direct.createClient();
    const ip = '198.51.100.77';
    const statuses = await Promise.all(
      Array.from({ length: 80 }, async (_, i) => {
        const response = await fetch(`${direct.url}/token${i % 2 ? '/introspection' : ''}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
          body: new URLSearchParams(i % 2 ? { token: 'x', client_id, client_secret: `guess-${i}` } : { grant_type: 'client_credentials', client_id, client_secret: `guess-${i}` }).toString(),
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    expect(statuses).toContain(429);
    // 50 a quarter hour per IP; the earlier test's failures from this address count too.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(50);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it('a stranger cannot lock the real client out: after 80 wrong secrets from one IP the client on its own IP gets a token at once', async () => {
    const { client_id, client_secret } = await proxied.createClient();
    const attackerIp = nextIp();
    const attacker = await rp(proxied, client_id, 'not-the-secret', () => attackerIp);
    const statuses: number[] = [];
    for (let i = 0; i < 80; i += 1) statuses.push(await tokenStatus(attacker));
    expect(statuses).toContain(429);
    // A second attacker address puts the client "under attack" too.
    const helperIp = nextIp();
    const helper = await rp(proxied, client_id, 'not-the-secret', () => helperIp);
    for (let i = 0; i < 20; i += 1) await tokenStatus(helper);

    const realIp = nextIp();
    const real = await rp(proxied, client_id, client_secret!, () => realIp);
    const tokens = await client.clientCredentialsGrant(real);
    expect(tokens.access_token).toBeTruthy();
    // And keeps working, in parallel, as a busy backend does.
    const parallel = await Promise.all(Array.from({ length: 10 }, () => tokenStatus(real)));
    expect(parallel).toEqual(Array(10).fill(200));
  });

  it('the limit counts wrong secrets only: the real client behind the same address as a guesser still gets tokens', async () => {
    const { client_id, client_secret } = await proxied.createClient();
    const sharedIp = nextIp();
    const attacker = await rp(proxied, client_id, 'not-the-secret', () => sharedIp);
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 1) statuses.push(await tokenStatus(attacker));
    expect(statuses).toContain(429);
    const real = await rp(proxied, client_id, client_secret!, () => sharedIp);
    expect(await Promise.all(Array.from({ length: 5 }, () => tokenStatus(real)))).toEqual(Array(5).fill(200));
    // The guesser is still refused.
    expect(await tokenStatus(attacker)).toBe(429);
  });
});
