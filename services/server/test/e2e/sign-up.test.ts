import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, noChromiumReason } from '../support/chromium.ts';
import { extractCode } from '../support/smtp.ts';
import { expectNoProblems, landedOnCallback, signInWithPassword, startE2e, uniqueEmail, type E2e } from './fixture.ts';

describe.skipIf(!hasChromium)(`open sign-up in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e({ env: { LATCHKEY_SIGNUP: 'open' } });
  });
  afterAll(() => e2e?.stop());

  it('creates an account, verifies the address with the code caught by the SMTP server, and finishes at the RP', async () => {
    const email = uniqueEmail('new');
    const password = 'a long and memorable passphrase';
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await tab.page.getByRole('link', { name: 'New here? Create an account' }).click();

    await expect(tab.page.getByLabel('Password', { exact: true }).getAttribute('autocomplete')).resolves.toBe('new-password');
    await expect(tab.page.getByLabel('Email address').getAttribute('autocomplete')).resolves.toBe('email');
    await tab.page.getByLabel('Email address').fill(email);
    await tab.page.getByLabel('Your name').fill('Ada Lovelace');
    await tab.page.getByLabel('Password', { exact: true }).fill(password);
    await tab.page.getByRole('button', { name: 'Create account', exact: true }).click();

    const mail = await e2e.mail.nextMailTo(email);
    expect(mail.text).toMatch(/confirm your email/i);
    const code = extractCode(mail);
    await expect(tab.page.getByLabel('Code from your email').getAttribute('autocomplete')).resolves.toBe('one-time-code');
    await tab.page.getByLabel('Code from your email').fill(code);
    await tab.page.getByRole('button', { name: 'Continue', exact: true }).click();
    await tab.page.getByRole('button', { name: 'Not now', exact: true }).click();
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();

    const tokens = await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), request);
    const claims = tokens.claims()!;
    // Scope claims come from userinfo (the ID token carries only the subject when an access token is issued).
    const info = await client.fetchUserInfo(e2e.app.config, tokens.access_token, claims.sub);
    expect(info).toMatchObject({ email, email_verified: true, name: 'Ada Lovelace' });
    expectNoProblems(tab);

    // The password chosen at sign-up now works on its own.
    const again = await e2e.tab();
    const second = await e2e.app.authorizationRequest();
    await again.page.goto(second.url.href);
    await signInWithPassword(again.page, email, password);
    await again.page.getByRole('button', { name: 'Allow', exact: true }).click();
    expect((await e2e.app.finish(await landedOnCallback(again.page, e2e.rp), second)).claims()?.sub).toBe(claims.sub);
  });

  it('signing up with an address that has an account looks the same; its owner is mailed a sign-in code instead', async () => {
    const user = await e2e.createPasswordUser();
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await tab.page.getByRole('link', { name: 'New here? Create an account' }).click();
    await tab.page.getByLabel('Email address').fill(user.email);
    await tab.page.getByLabel('Password', { exact: true }).fill('an attacker chose this passphrase');
    await tab.page.getByRole('button', { name: 'Create account', exact: true }).click();
    await expect(tab.page.getByRole('status').textContent()).resolves.toContain(user.email);

    const mail = await e2e.mail.nextMailTo(user.email);
    expect(mail.text).toMatch(/sign in/i);
    await tab.page.getByLabel('Code from your email').fill(extractCode(mail));
    await tab.page.getByRole('button', { name: 'Continue', exact: true }).click();
    await tab.page.getByRole('button', { name: 'Not now', exact: true }).click();
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
    const tokens = await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), request);
    expect(tokens.claims()?.sub).toBe(user.id);

    // The password typed on the sign-up form did not replace the owner's.
    const again = await e2e.tab();
    await again.page.goto((await e2e.app.authorizationRequest()).url.href);
    await signInWithPassword(again.page, user.email, 'an attacker chose this passphrase');
    await expect(again.page.getByRole('alert').textContent()).resolves.toMatch(/do not match/);
    expectNoProblems(tab);
  });

  it('a too-short and a too-common password are refused next to the field', async () => {
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await tab.page.getByRole('link', { name: 'New here? Create an account' }).click();
    await tab.page.getByLabel('Email address').fill(uniqueEmail());
    for (const [password, message] of [['short', /at least 8/i], ['password123', /common/i]] as const) {
      await tab.page.getByLabel('Password', { exact: true }).fill(password);
      await tab.page.getByRole('button', { name: 'Create account', exact: true }).click();
      await tab.page.getByRole('alert').waitFor();
      const input = tab.page.getByLabel('Password', { exact: true });
      await expect(input.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(tab.page.locator('#password-error').textContent()).resolves.toMatch(message);
    }
    expectNoProblems(tab);
  });
});
