import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, noChromiumReason, type Tab } from '../support/chromium.ts';
import { extractCode } from '../support/smtp.ts';
import { expectNoProblems, signInWithPassword, startE2e, submit, uniqueEmail, type E2e } from './fixture.ts';

/**
 * The hosted account console in real Chromium: a person signs in at /account
 * through Latchkey's own OIDC (no consent page), sees every browser they are
 * signed in on, signs another one out (that browser must sign in again),
 * creates a personal API token (shown once, usable against the API) and
 * changes their email address with the code mailed to the new one.
 */
describe.skipIf(!hasChromium)(`account console in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e();
  });
  afterAll(() => e2e?.stop());

  async function openConsole(user: { email: string; password: string }, path = '/account'): Promise<Tab> {
    const tab = await e2e.tab();
    await tab.page.goto(`${e2e.server.issuer}${path}`);
    await signInWithPassword(tab.page, user.email, user.password);
    await tab.page.waitForURL(`${e2e.server.issuer}${path}`);
    return tab;
  }

  it('signs in, lists two browsers and signs the other one out', async () => {
    const user = await e2e.createPasswordUser();
    const mine = await openConsole(user, '/account/sessions');
    const other = await openConsole(user, '/account/sessions');

    await mine.page.reload();
    const items = mine.page.locator('li.item');
    await expect(items.count()).resolves.toBe(2);
    await expect(mine.page.getByText('This browser').count()).resolves.toBe(1);
    await expect(items.first().getByText('Linux').count()).resolves.toBe(1);
    await expect(items.first().getByText('127.0.0.1').count()).resolves.toBe(1);

    // Revoke the one that is not this browser.
    await submit(mine.page, 'Sign out this session');
    await expect(mine.page.getByRole('status').textContent()).resolves.toContain('signed out');
    await expect(mine.page.locator('li.item').count()).resolves.toBe(1);

    // The other browser is signed out at once: the console sends it to the sign-in page.
    await other.page.goto(`${e2e.server.issuer}/account/sessions`);
    await expect(other.page.getByLabel('Password', { exact: true }).isVisible()).resolves.toBe(true);
    expectNoProblems(mine);
  });

  it('creates a personal API token, shows it once, and the token works against the API', async () => {
    const user = await e2e.createPasswordUser();
    const tab = await openConsole(user, '/account/tokens');
    await tab.page.getByLabel('Name', { exact: true }).fill('backup script');
    await submit(tab.page, 'Create token');
    const token = (await tab.page.locator('#new-token-value').textContent())!.trim();
    expect(token).toMatch(/^lk_pat_/);
    await expect(tab.page.getByRole('heading', { name: 'backup script' }).count()).resolves.toBe(1);

    // Shown once: a reload no longer has it, and nothing stored holds it in the clear.
    await tab.page.reload();
    await expect(tab.page.locator('#new-token-value').count()).resolves.toBe(0);
    expect(await tab.page.content()).not.toContain(token);

    const profile = await fetch(`${e2e.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(profile.status).toBe(200);
    expect(await profile.json()).toMatchObject({ id: user.id, email: user.email });

    // Revoked from the console: the API refuses it at once.
    await submit(tab.page, 'Revoke: backup script');
    await expect(tab.page.getByRole('status').textContent()).resolves.toContain('revoked');
    const refused = await fetch(`${e2e.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
    expectNoProblems(tab);
  });

  it('changes the email address with the code sent to the new one', async () => {
    const user = await e2e.createPasswordUser();
    const tab = await openConsole(user, '/account/email');
    const next = uniqueEmail('moved');
    await tab.page.getByLabel('New email address').fill(next);
    await submit(tab.page, 'Send a code to the new address');
    const mail = await e2e.mail.nextMailTo(next);
    await tab.page.getByLabel('Code from your email').fill(extractCode(mail));
    await submit(tab.page, 'Change email address');
    await expect(tab.page.getByRole('status').textContent()).resolves.toContain('changed');
    await expect(tab.page.getByText(next).count()).resolves.toBeGreaterThan(0);
    const row = await e2e.server.db.knex('users').where({ id: user.id }).first('email', 'email_verified');
    expect(row).toMatchObject({ email: next, email_verified: true });
    expectNoProblems(tab);
  });

  it('signs out of the console with RP-initiated logout', async () => {
    const user = await e2e.createPasswordUser();
    const tab = await openConsole(user);
    await submit(tab.page, 'Sign out');
    // oidc-provider's confirmation page, then back to /account, which needs a sign-in again.
    await submit(tab.page, 'Sign out');
    await tab.page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
    await expect(tab.page.getByLabel('Password', { exact: true }).isVisible()).resolves.toBe(true);
    expectNoProblems(tab);
  });
});
