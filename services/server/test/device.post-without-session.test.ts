import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak } from './support/bad-input.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/** POST /device without the session its form came from crashed oidc-provider's session save (500). Now: a 400 page with a way back. */
describe('device page: a code posted without a session', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  for (const [label, cookie] of [
    ['no cookie at all', undefined],
    ['a session cookie naming no session', '_session=nosuchsession; _session.sig=forged'],
  ] as const) {
    it(`${label}: 400 HTML page linking back to /device`, async () => {
      const response = await fetch(`${server.issuer}/device`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
        body: 'xsrf=abc&user_code=ABCD-EFGH&confirm=yes',
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/text\/html/);
      const body = await response.text();
      expect(body).toContain('href="/device"');
      expectNoLeak(body);
    });
  }
});
