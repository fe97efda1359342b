import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { hasChromium, launchChromium, noChromiumReason, openTab } from './support/chromium.ts';
import { addPasskeyInConsole, addVirtualAuthenticator, captureAssertion } from './support/passkeys.ts';
import { startRelyingParty, type RelyingParty } from './support/rp.ts';
import { nextIp, TRUST_LOOPBACK } from './support/forwarded.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

/**
 * One assertion (one challenge) posted twice at the same moment: the
 * challenge is burned by one UPDATE, so exactly one request signs in and the
 * counter moves once. From two client addresses (past the per-(account, IP)
 * in-flight limit, as an attacker with the assertion would be) the database
 * alone decides.
 */
describe.skipIf(!hasChromium)(`parallel passkey assertions${hasChromium ? '' : ` (${noChromiumReason})`}`, () => {
  let server: TestServer;
  let rp: RelyingParty;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ backend: canUseRealServices ? 'postgres' : 'pglite', env: TRUST_LOOPBACK });
    rp = await startRelyingParty();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await rp?.close();
    await server?.stop();
  });

  it('one challenge, two requests at once: one success', async () => {
    const email = `parallel-${process.pid}@example.com`;
    const password = 'plum tree harbour lantern';
    const userId = await server.createUser({ email, password_hash: await hashPassword(password) });
    const client = await rp.register(server, { firstParty: true });
    const { page } = await openTab(browser);
    await addVirtualAuthenticator(page);
    await addPasskeyInConsole(page, server.issuer, { email, password });
    const before = await server.db.knex('webauthn_credentials').where({ user_id: userId }).first();

    for (let round = 0; round < 3; round += 1) {
      const captured = await captureAssertion(page, (await client.authorizationRequest({ prompt: 'login' })).url.href);
      const post = (ip: string) =>
        fetch(new URL(captured.path, server.url), {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: captured.cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
          body: captured.body,
        });
      const statuses = (await Promise.all([post(nextIp()), post(nextIp())])).map((response) => response.status).sort();
      expect(statuses).toEqual([303, 401]);
    }
    const successes = await server.db.knex('audit_events').where({ type: 'sign_in.success', subject_id: userId }).whereRaw(`data->>'method' = 'hwk'`);
    expect(successes).toHaveLength(3);
    const after = await server.db.knex('webauthn_credentials').where({ user_id: userId }).first();
    expect(Number(after.counter)).toBe(Number(before.counter) + 3);
  }, 60_000);
});
