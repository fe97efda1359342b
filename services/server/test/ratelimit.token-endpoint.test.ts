import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICIES } from '../src/ratelimit/policies.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

/**
 * The token endpoint's per-IP limit, in front of oidc-provider (no body
 * read), against the real server. The default window is used as is.
 */
const LIMIT = DEFAULT_POLICIES.token.perIp.points;
let n = 0;
const ip = () => `192.0.2.${(n += 1) % 250}`;

const token = (server: TestServer, forwardedFor: string) =>
  fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
    body: 'grant_type=client_credentials&client_id=nobody',
  });

/** Sends `count` token requests, 50 at a time; returns their statuses. */
async function flood(server: TestServer, count: number, forwardedFor: () => string): Promise<number[]> {
  const statuses: number[] = [];
  for (let sent = 0; sent < count; sent += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, count - sent) }, async () => {
        const response = await token(server, forwardedFor());
        await response.arrayBuffer();
        return response.status;
      }),
    );
    statuses.push(...batch);
  }
  return statuses;
}

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('token endpoint rate limit (%s)', (backend) => {
  let direct: TestServer;
  let proxied: TestServer;
  beforeAll(async () => {
    [direct, proxied] = await Promise.all([
      startTestServer({ backend }),
      startTestServer({ backend, env: { LATCHKEY_TRUST_PROXY: 'loopback' } }),
    ]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([direct?.stop(), proxied?.stop()]);
  });

  it(`answers 429 with Retry-After past ${LIMIT} requests a minute from one address, whatever X-Forwarded-For claims`, async () => {
    const statuses = await flood(direct, LIMIT, ip);
    expect(statuses.filter((status) => status === 429)).toEqual([]);
    // The provider itself answered those (the unknown client is refused).
    expect(new Set(statuses)).not.toContain(200);

    const refused = await token(direct, ip());
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
    // Device authorization and pushed requests share the budget; discovery is not limited.
    for (const path of ['/device/auth', '/request']) {
      const other = await fetch(`${direct.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_id=nobody' });
      expect(other.status, path).toBe(429);
    }
    expect((await fetch(`${direct.url}/.well-known/openid-configuration`)).status).toBe(200);
  });

  it('behind a trusted proxy each forwarded address has its own limit', async () => {
    const busy = ip();
    const statuses = await flood(proxied, LIMIT, () => busy);
    expect(statuses).not.toContain(429);
    expect((await token(proxied, busy)).status).toBe(429);
    expect((await token(proxied, ip())).status).not.toBe(429);
  });
});
