import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { hasChromium, launchChromium, noChromiumReason, openTab } from './support/chromium.ts';
import { addPasskeyInConsole, addVirtualAuthenticator, captureAssertion } from './support/passkeys.ts';
import { startRelyingParty, type RelyingParty, type RpClient } from './support/rp.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

/**
 * A passkey assertion answers one challenge, issued for one sign-in flow:
 * posted again after it succeeded, or posted to another flow, it is refused
 * (and the refusal is a failed attempt with its reason in the audit log).
 */
describe.skipIf(!hasChromium)(`passkey challenges are used once, by their own flow${hasChromium ? '' : ` (${noChromiumReason})`}`, () => {
  let server: TestServer;
  let rp: RelyingParty;
  let browser: Browser;
  let client: RpClient;
  let page: Page;
  let userId: string;
  beforeAll(async () => {
    server = await startTestServer({ backend: canUseRealServices ? 'postgres' : 'pglite' });
    rp = await startRelyingParty();
    browser = await launchChromium();
    client = await rp.register(server, { firstParty: true });
    const email = `replay-${process.pid}@example.com`;
    const password = 'plum tree harbour lantern';
    userId = await server.createUser({ email, password_hash: await hashPassword(password) });
    page = (await openTab(browser)).page;
    await addVirtualAuthenticator(page);
    await addPasskeyInConsole(page, server.issuer, { email, password });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await rp?.close();
    await server?.stop();
  });

  const post = (path: string, body: string, cookie: string) =>
    fetch(new URL(path, server.url), { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
  const lastFailure = () => server.db.knex('audit_events').where({ type: 'sign_in.failure', subject_id: userId }).orderBy('occurred_at', 'desc').first();
  const signInRequest = async () => (await client.authorizationRequest({ prompt: 'login' })).url.href;

  it('refuses the same assertion a second time', async () => {
    const captured = await captureAssertion(page, await signInRequest());
    const first = await post(captured.path, captured.body, captured.cookie);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toMatch(/\/auth\//);
    const replay = await post(captured.path, captured.body, captured.cookie);
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('That passkey could not be used');
    expect((await lastFailure()).data).toMatchObject({ reason: 'passkey_challenge' });
  }, 30_000);

  it('refuses an assertion made for another sign-in flow, which its own flow can still use', async () => {
    const mine = await captureAssertion(page, await signInRequest());
    const other = await captureAssertion(page, await signInRequest());
    expect(other.path).not.toBe(mine.path);
    const crossed = await post(other.path, mine.body, other.cookie);
    expect(crossed.status).toBe(401);
    expect((await lastFailure()).data).toMatchObject({ reason: 'passkey_challenge' });
    const own = await post(mine.path, mine.body, mine.cookie);
    expect(own.status).toBe(303);
  }, 30_000);

  it('refuses a response whose challenge was never issued, and one that is not a passkey response', async () => {
    const captured = await captureAssertion(page, await signInRequest());
    const form = new URLSearchParams(captured.body);
    const response = JSON.parse(form.get('response')!);
    const clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8'));
    clientData.challenge = Buffer.from('a challenge nobody issued').toString('base64url');
    response.response.clientDataJSON = Buffer.from(JSON.stringify(clientData)).toString('base64url');
    form.set('response', JSON.stringify(response));
    expect((await post(captured.path, form.toString(), captured.cookie)).status).toBe(401);
    for (const junk of ['{', '[]', '{"type":"public-key"}', 'x'.repeat(20_000)]) {
      form.set('response', junk);
      const refused = await post(captured.path, form.toString(), captured.cookie);
      expect([400, 413]).toContain(refused.status);
      expect(refused.headers.get('content-type')).toMatch(/text\/html/);
    }
  }, 30_000);
});
