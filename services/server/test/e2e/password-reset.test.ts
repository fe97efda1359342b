import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, noChromiumReason } from '../support/chromium.ts';
import { extractCode } from '../support/smtp.ts';
import { expectNoProblems, landedOnCallback, signInWithPassword, startE2e, uniqueEmail, type E2e } from './fixture.ts';

describe.skipIf(!hasChromium)(`password reset by emailed code in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e();
  });
  afterAll(() => e2e?.stop());

  it('mails a code; code + new password change it; the new one signs in and the old one no longer does', async () => {
    const user = await e2e.createPasswordUser();
    const newPassword = 'my brand new passphrase';
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await tab.page.getByRole('link', { name: 'Forgot your password?' }).click();
    await tab.page.getByLabel('Email address').fill(user.email);
    await tab.page.getByRole('button', { name: 'Send code', exact: true }).click();

    const mail = await e2e.mail.nextMailTo(user.email);
    expect(mail.text).toMatch(/reset/i);
    await tab.page.getByLabel('Code from your email').fill(extractCode(mail));
    await expect(tab.page.getByLabel('New password').getAttribute('autocomplete')).resolves.toBe('new-password');
    await tab.page.getByLabel('New password').fill(newPassword);
    await tab.page.getByRole('button', { name: 'Set new password', exact: true }).click();

    // Back on the sign-in page, told what happened.
    await expect(tab.page.getByRole('status').textContent()).resolves.toMatch(/password was changed/i);
    await signInWithPassword(tab.page, user.email, user.password);
    await expect(tab.page.getByRole('alert').textContent()).resolves.toMatch(/do not match/);
    await signInWithPassword(tab.page, user.email, newPassword);
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
    expect((await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), request)).claims()?.sub).toBe(user.id);
    expectNoProblems(tab);
  });

  it('a missing account sees the same pages and no mail is sent', async () => {
    const nobody = uniqueEmail('nobody');
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await tab.page.getByRole('link', { name: 'Forgot your password?' }).click();
    await tab.page.getByLabel('Email address').fill(nobody);
    await tab.page.getByRole('button', { name: 'Send code', exact: true }).click();
    await expect(tab.page.getByLabel('Code from your email').isVisible()).resolves.toBe(true);
    await expect(tab.page.getByRole('status').textContent()).resolves.toContain(nobody);
    await expect(e2e.mail.nextMailTo(nobody, 1_500)).rejects.toThrow(/no mail/);

    await tab.page.getByLabel('Code from your email').fill('123456');
    await tab.page.getByLabel('New password').fill('whatever passphrase here');
    await tab.page.getByRole('button', { name: 'Set new password', exact: true }).click();
    await expect(tab.page.getByRole('alert').textContent()).resolves.toMatch(/wrong or has expired/);
  });
});
