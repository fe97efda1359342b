import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, noChromiumReason } from '../support/chromium.ts';
import { extractCode } from '../support/smtp.ts';
import { expectNoProblems, landedOnCallback, startE2e, uniqueEmail, type E2e } from './fixture.ts';
import type { Page } from 'playwright-core';

/** From the sign-in page: type the address, then ask for a code instead of using a password. */
async function requestCode(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in code', exact: true }).click();
}

describe.skipIf(!hasChromium)(`sign-in with an email code in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e();
  });
  afterAll(() => e2e?.stop());

  it('mails a code through SMTP; entering it signs the person in and finishes at the RP', async () => {
    const user = await e2e.createPasswordUser({ password_hash: null, email_verified: false });
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await requestCode(tab.page, user.email);

    const mail = await e2e.mail.nextMailTo(user.email);
    const code = extractCode(mail);
    await tab.page.getByLabel('Code from your email').fill(code);
    await tab.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();

    const tokens = await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), request);
    expect(tokens.claims()?.sub).toBe(user.id);
    // Reading the code proved the address.
    const row = await e2e.server.db.knex('users').where({ id: user.id }).first();
    expect(row.email_verified).toBe(true);
    expectNoProblems(tab);
  });

  it('a wrong code is refused with the error next to the field; the right one still works after', async () => {
    const user = await e2e.createPasswordUser();
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await requestCode(tab.page, user.email);
    const code = extractCode(await e2e.mail.nextMailTo(user.email));
    const wrong = code === '000000' ? '111111' : '000000';

    const input = tab.page.getByLabel('Code from your email');
    await input.fill(wrong);
    await tab.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(tab.page.getByRole('alert').textContent()).resolves.toMatch(/wrong|expired/i);
    await expect(tab.page.getByLabel('Code from your email').getAttribute('aria-invalid')).resolves.toBe('true');

    await tab.page.getByLabel('Code from your email').fill(code);
    await tab.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
    const tokens = await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), request);
    expect(tokens.claims()?.sub).toBe(user.id);
  });

  it('a missing account sees the same "code sent" page, and no mail goes out', async () => {
    const nobody = uniqueEmail('nobody');
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await requestCode(tab.page, nobody);
    await expect(tab.page.getByLabel('Code from your email').isVisible()).resolves.toBe(true);
    await expect(tab.page.getByRole('status').textContent()).resolves.toContain(nobody);
    await expect(e2e.mail.nextMailTo(nobody, 1_500)).rejects.toThrow(/no mail/);
  });
});
