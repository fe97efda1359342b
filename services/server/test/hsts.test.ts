import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestServer, type TestServer } from './support/server.ts';

/** Over an https issuer every response tells browsers to stay on https; over http none does. */
describe('Strict-Transport-Security', () => {
  let https: TestServer;
  let http: TestServer;
  let httpsBase: string;
  beforeAll(async () => {
    const port = await freePort();
    httpsBase = `http://localhost:${port}`;
    // TLS ends at a trusted loopback proxy, played by the test (X-Forwarded-Proto).
    [https, http] = await Promise.all([
      startTestServer({ port, env: { LATCHKEY_ISSUER: `https://localhost:${port}`, LATCHKEY_TRUST_PROXY: 'loopback' } }),
      startTestServer(),
    ]);
  });
  afterAll(() => Promise.all([https?.stop(), http?.stop()]));

  const paths = ['/.well-known/openid-configuration', '/jwks', '/healthz', '/device', '/auth?client_id=nobody', '/no-such-route', '/dev/mailbox'];

  it('is sent on every response when the issuer is https', async () => {
    for (const path of paths) {
      const response = await fetch(`${httpsBase}${path}`, { headers: { 'x-forwarded-proto': 'https' }, redirect: 'manual' });
      const hsts = response.headers.get('strict-transport-security') ?? '';
      expect(hsts, path).toMatch(/^max-age=\d+/);
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1]), path).toBeGreaterThanOrEqual(180 * 24 * 3600);
    }
    const misdirected = await fetch(`${httpsBase}/jwks`, { headers: { 'x-forwarded-host': 'evil.example' } });
    expect(misdirected.status).toBe(421);
    expect(misdirected.headers.get('strict-transport-security')).toMatch(/^max-age=/);
  });

  it('is not sent when the issuer is http', async () => {
    for (const path of paths) {
      const response = await fetch(`${http.issuer}${path}`, { redirect: 'manual' });
      expect(response.headers.get('strict-transport-security'), path).toBeNull();
    }
  });
});
