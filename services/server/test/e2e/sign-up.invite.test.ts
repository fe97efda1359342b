import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '../../src/accounts/invitations.ts';
import { hasChromium, noChromiumReason } from '../support/chromium.ts';
import { extractCode } from '../support/smtp.ts';
import { expectNoProblems, landedOnCallback, signInWithPassword, startE2e, uniqueEmail, type E2e } from './fixture.ts';

describe.skipIf(!hasChromium)(`invitation-only sign-up in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  const invite = (email: string | null = null) =>
    createInvitation(
      { knex: e2e.server.db.knex, keyring: e2e.server.keyring, issuer: e2e.server.issuer },
      { email, scopes: ['beta:tester'], expiresInSeconds: 3600 },
    );
  beforeAll(async () => {
    e2e = await startE2e({ env: { LATCHKEY_SIGNUP: 'invite' } });
  });
  afterAll(() => e2e?.stop());

  it('the invitation link opens sign-up; the account gets the invitation scopes; the link works only once', async () => {
    const invitation = await invite();
    const email = uniqueEmail('invited');
    const password = 'invited people pick good passphrases';
    const tab = await e2e.tab();
    await tab.page.goto(invitation.url);
    await expect(tab.page.getByLabel('Invitation code').inputValue()).resolves.toBe(invitation.code);
    await tab.page.getByLabel('Email address').fill(email);
    await tab.page.getByLabel('Password', { exact: true }).fill(password);
    await tab.page.getByRole('button', { name: 'Create account', exact: true }).click();

    const code = extractCode(await e2e.mail.nextMailTo(email));
    await tab.page.getByLabel('Code from your email').fill(code);
    await tab.page.getByRole('button', { name: 'Continue', exact: true }).click();
    await expect(tab.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your account is ready');
    expectNoProblems(tab);

    const row = await e2e.server.db.knex('users').whereRaw('lower(email) = ?', [email]).first();
    expect(row).toMatchObject({ email_verified: true, scopes: ['beta:tester'] });
    const redeemed = await e2e.server.db.knex('invitations').where({ id: invitation.id }).first();
    expect(redeemed.redeemed_by).toBe(row.id);

    // The new account signs in to an app with its password.
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await signInWithPassword(tab.page, email, password);
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
    expect((await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), request)).claims()?.sub).toBe(row.id);

    // Someone else with the same link is refused.
    const other = await e2e.tab();
    await other.page.goto(invitation.url);
    await other.page.getByLabel('Email address').fill(uniqueEmail('late'));
    await other.page.getByLabel('Password', { exact: true }).fill('another fine passphrase');
    await other.page.getByRole('button', { name: 'Create account', exact: true }).click();
    await expect(other.page.getByRole('alert').textContent()).resolves.toMatch(/invitation code is not valid/);
    await expect(other.page.getByLabel('Invitation code').getAttribute('aria-invalid')).resolves.toBe('true');
  });

  it('inside an app sign-in, sign-up asks for the invitation code and refuses without one', async () => {
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await tab.page.getByRole('link', { name: 'New here? Create an account' }).click();
    const email = uniqueEmail('flow');
    await tab.page.getByLabel('Email address').fill(email);
    await tab.page.getByLabel('Password', { exact: true }).fill('a passphrase for the flow');
    await tab.page.getByRole('button', { name: 'Create account', exact: true }).click();
    await expect(tab.page.locator('#invitation-error').textContent()).resolves.toMatch(/invitation/i);

    // With a code, the same form finishes at the RP, signed in.
    const invitation = await invite(email);
    await tab.page.getByLabel('Invitation code').fill(invitation.code);
    await tab.page.getByLabel('Password', { exact: true }).fill('a passphrase for the flow');
    await tab.page.getByRole('button', { name: 'Create account', exact: true }).click();
    await tab.page.getByLabel('Code from your email').fill(extractCode(await e2e.mail.nextMailTo(email)));
    await tab.page.getByRole('button', { name: 'Continue', exact: true }).click();
    await tab.page.getByRole('button', { name: 'Not now', exact: true }).click();
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
    const tokens = await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), request);
    const info = await client.fetchUserInfo(e2e.app.config, tokens.access_token, tokens.claims()!.sub);
    expect(info).toMatchObject({ email, email_verified: true });
    expectNoProblems(tab);
  });
});
