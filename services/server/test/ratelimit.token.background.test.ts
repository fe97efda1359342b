import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeployment, type Deployment } from './support/deployment.ts';
import { canUseRealServices } from './support/server.ts';

const LIMIT = 20;

/**
 * The token endpoint's per-IP limit is counted in process and added to the
 * shared Redis count in the background (src/ratelimit/background.ts): no
 * round trip per request, yet one replica holds the limit exactly, and two
 * replicas together let through at most one request each past it.
 */
describe.skipIf(!canUseRealServices)('token endpoint limit counted in the background', () => {
  let deployment: Deployment;
  beforeAll(async () => {
    deployment = await startDeployment({ LATCHKEY_RATE_LIMITS: `token.ip=${LIMIT}/1m`, LATCHKEY_TRUST_PROXY: 'loopback' });
  }, 90_000);
  afterAll(() => deployment?.stop());

  // The deployment's issuer (and so its Redis namespace) is new each run: any addresses will do.
  let last = 0;
  const newIp = () => `198.51.100.${++last}`;

  const post = async (base: string, ip: string) => {
    const response = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
      body: 'grant_type=client_credentials&client_id=nobody',
    });
    await response.arrayBuffer();
    return response;
  };

  it('one replica refuses the request past the limit, with Retry-After, in a parallel burst too', async () => {
    const ip = newIp();
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 3; i++) statuses.push((await post(deployment.a.url, ip)).status);
    expect(statuses.slice(0, LIMIT).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(LIMIT)).toEqual([429, 429, 429]);
    const refused = await post(deployment.a.url, ip);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    const burstIp = newIp();
    const burst = await Promise.all(Array.from({ length: LIMIT * 3 }, () => post(deployment.a.url, burstIp)));
    expect(burst.filter((r) => r.status !== 429)).toHaveLength(LIMIT);
  });

  it('two replicas sharing Redis together allow at most one request each past the limit', async () => {
    const ip = newIp();
    let allowed = 0;
    for (let i = 0; i < LIMIT * 2; i++) {
      const base = i % 2 === 0 ? deployment.a.url : deployment.b.url;
      if ((await post(base, ip)).status !== 429) allowed += 1;
      // Past one flush, so each replica has heard the other's count.
      await new Promise((r) => setTimeout(r, 70));
    }
    expect(allowed).toBeGreaterThanOrEqual(LIMIT);
    expect(allowed).toBeLessThanOrEqual(LIMIT + 2);
  });

  it('a replica started after the limit was spent hears of it from Redis after its first request', async () => {
    const ip = newIp();
    for (let i = 0; i < LIMIT; i++) expect((await post(deployment.a.url, ip)).status).not.toBe(429);
    await new Promise((r) => setTimeout(r, 100));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await post(deployment.b.url, ip)).status);
      await new Promise((r) => setTimeout(r, 70));
    }
    // B's first request is counted before B knows the shared count; every one after it is refused.
    expect(statuses.slice(1)).toEqual([429, 429]);
  });
});
