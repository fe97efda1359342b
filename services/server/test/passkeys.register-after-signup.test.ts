import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, noChromiumReason, openTab } from './support/chromium.ts';
import { addVirtualAuthenticator, finishAtRp, signUpFromSignInPage } from './support/passkeys.ts';
import { startRelyingParty, type RelyingParty } from './support/rp.ts';
import { canUseRealServices, startTestServerWithMail, type MailTestServer } from './support/server.ts';

/**
 * The passkey journey a person takes, in real Chromium with a CDP virtual
 * authenticator and a real RP (openid-client, ID token signature checked):
 * sign up, add a passkey on the page right after, sign out, and come back
 * with the passkey alone through the email field's autofill (conditional
 * UI): nothing typed, amr [hwk, mfa], acr aal2.
 */
describe.skipIf(!hasChromium)(`passkey after sign-up, then sign-in through conditional UI${hasChromium ? '' : ` (${noChromiumReason})`}`, () => {
  let server: MailTestServer;
  let rp: RelyingParty;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServerWithMail({ backend: canUseRealServices ? 'postgres' : 'pglite' });
    rp = await startRelyingParty();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await rp?.close();
    await server?.stop();
  });

  it('registers a passkey right after sign-up, and signs in with it alone after signing out', async () => {
    const client = await rp.register(server, { firstParty: true });
    const tab = await openTab(browser);
    const { page } = tab;
    const authenticator = await addVirtualAuthenticator(page);
    const email = `passkey-${process.pid}-${Date.now()}@example.com`;

    const first = await client.authorizationRequest();
    await page.goto(first.url.href);
    // The shared email field offers passkeys in its autofill.
    expect(await page.getAttribute('#email', 'autocomplete')).toBe('username webauthn');
    await signUpFromSignInPage(page, server, { email, password: 'plum tree harbour lantern' });

    await page.waitForURL(/\/passkey\/offer$/);
    expect(await page.textContent('h1')).toContain('Add a passkey?');
    await page.fill('#name', 'Test laptop');
    await page.click('form[data-passkey="register"] button');
    const signedUp = await finishAtRp(page, client, first, rp.callbackUrl);
    expect(signedUp.claims()!.amr).toEqual(['otp']);

    const user = await server.db.knex('users').whereRaw('lower(email) = ?', [email]).first('id');
    const rows = await server.db.knex('webauthn_credentials').where({ user_id: user.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'Test laptop', device_type: 'singleDevice' });
    const [stored] = await authenticator.credentials();
    expect(stored).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    expect(Buffer.from(stored!.credentialId, 'base64').toString('base64url')).toBe(rows[0].credential_id);
    const added = await server.db.knex('audit_events').where({ subject_id: user.id, type: 'passkey.added' });
    expect(added).toHaveLength(1);

    // Sign out (RP-initiated logout, confirmed on the hosted page).
    await page.goto(client.endSessionUrl(signedUp.id_token!).href);
    await page.click('button[name="logout"]');
    await page.waitForURL((url) => url.href.startsWith(rp.loggedOutUrl));

    // Back again: the sign-in page's autofill request is answered by the authenticator; nothing is typed.
    const second = await client.authorizationRequest();
    await page.goto(second.url.href);
    const tokens = await finishAtRp(page, client, second, rp.callbackUrl);
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(user.id);
    expect(claims.amr).toEqual(['hwk', 'mfa']);
    expect(claims.acr).toBe('aal2');
    const success = await server.db.knex('audit_events').where({ subject_id: user.id, type: 'sign_in.success' }).orderBy('occurred_at', 'desc').first();
    expect(success.data).toMatchObject({ method: 'hwk', amr: ['hwk', 'mfa'] });
    const used = await server.db.knex('webauthn_credentials').where({ user_id: user.id }).first();
    expect(Number(used.counter)).toBeGreaterThan(Number(rows[0].counter));
    expect(used.last_used_at).not.toBeNull();
    // No CSP violation, script error or failed asset on the way.
    expect(tab.problems).toEqual([]);
    await tab.close();
  }, 60_000);
});
