import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextIp, TRUST_LOOPBACK } from './support/forwarded.ts';
import { inputValue, PageClient } from './support/hosted-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

/**
 * Attack: guess device user codes in parallel bursts, from one IP and from
 * many. Each lookup is reserved before oidc-provider does it, so a burst gets
 * no more lookups than the per-IP budget (10), and all IPs together meet a
 * global ceiling (100 per 15 minutes), past which only an IP that has not
 * failed yet may try once — so the person with the right code still gets in.
 */
const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];
const PER_IP = 10;
const GLOBAL = 100;
const NOT_RECOGNISED = 'That code was not recognised';

/** A browser at `ip` on the code entry page, ready to submit. */
async function browserAt(server: TestServer, ip: string): Promise<PageClient & { xsrf: string }> {
  const browser = new PageClient(server.issuer) as PageClient & { xsrf: string };
  browser.headers = { 'x-forwarded-for': ip };
  browser.xsrf = inputValue(await (await browser.get('/device')).text(), 'xsrf');
  return browser;
}

/** Submits a code; 'lookup' when the provider looked it up and did not find it. */
async function guess(browser: PageClient & { xsrf: string }, code: string): Promise<'lookup' | 'refused' | 'other'> {
  const response = await browser.post('/device', { xsrf: browser.xsrf, user_code: code, confirm: 'yes' });
  const page = await response.text();
  if (response.status === 429) return 'refused';
  // The re-rendered form carries the next xsrf value.
  if (page.includes('name="xsrf"')) browser.xsrf = inputValue(page, 'xsrf');
  return response.status === 400 && page.includes(NOT_RECOGNISED) ? 'lookup' : 'other';
}

const wrongCode = (i: number) => `BCDF${'GHJKLMNPQRSTVWXZ'[i % 16]}${'GHJKLMNPQRSTVWXZ'[(i >> 4) % 16]}QR`;

describe.each(backends)('device code guessing in bursts (%s)', (backend) => {
  let oneIp: TestServer;
  let manyIps: TestServer;
  beforeAll(async () => {
    [oneIp, manyIps] = await Promise.all([startTestServer({ backend, env: TRUST_LOOPBACK }), startTestServer({ backend, env: TRUST_LOOPBACK })]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([oneIp?.stop(), manyIps?.stop()]);
  });

  it(`120 parallel guesses from one IP get at most ${PER_IP} lookups; the rest are refused with 429`, async () => {
    const ip = nextIp();
    const browsers = await Promise.all(Array.from({ length: 120 }, () => browserAt(oneIp, ip)));
    const outcomes = await Promise.all(browsers.map((browser, i) => guess(browser, wrongCode(i))));
    const lookups = outcomes.filter((o) => o === 'lookup').length;
    expect(lookups).toBeGreaterThan(0);
    expect(lookups).toBeLessThanOrEqual(PER_IP);
    expect(outcomes.filter((o) => o === 'refused').length).toBeGreaterThanOrEqual(120 - PER_IP);
    expect(outcomes).not.toContain('other');
  });

  it(`30 IPs × ${PER_IP} guesses meet the global ceiling; a fresh IP with the right code still gets through`, async () => {
    const outcomes = (
      await Promise.all(
        Array.from({ length: 30 }, async (_, ipIndex) => {
          const browser = await browserAt(manyIps, nextIp());
          const seen: string[] = [];
          for (let i = 0; i < PER_IP; i += 1) seen.push(await guess(browser, wrongCode(ipIndex * PER_IP + i)));
          return seen;
        }),
      )
    ).flat();
    const lookups = outcomes.filter((o) => o === 'lookup').length;
    // Without a global ceiling all 300 would be looked up; past it each IP gets at most its first.
    expect(lookups).toBeGreaterThanOrEqual(GLOBAL);
    expect(lookups).toBeLessThanOrEqual(GLOBAL + 30);
    expect(outcomes.filter((o) => o === 'refused').length).toBeGreaterThanOrEqual(300 - GLOBAL - 30);

    const created = await manyIps.createClient({ public: true });
    const config = await client.discovery(new URL(manyIps.issuer), created.client_id, { token_endpoint_auth_method: 'none' }, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const device = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    const owner = await browserAt(manyIps, nextIp());
    const response = await owner.post('/device', { xsrf: owner.xsrf, user_code: device.user_code, confirm: 'yes' });
    expect(response.status).not.toBe(429);
    expect(await response.text()).not.toContain(NOT_RECOGNISED);
    expect(response.status).toBeLessThan(400);
  });
});
