import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { hasChromium, launchChromium, noChromiumReason, openTab } from './support/chromium.ts';
import { addPasskeyInConsole, addVirtualAuthenticator } from './support/passkeys.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

/**
 * /account/passkeys in real Chromium: add (the ceremony under the strict
 * CSP), list, rename; removing one first sends a session that signed in
 * with the password alone through a fresh two-factor sign-in (here: the
 * passkey itself, through the autofill), and the last way in is never removed.
 */
describe.skipIf(!hasChromium)(`account console: passkeys${hasChromium ? '' : ` (${noChromiumReason})`}`, () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ backend: canUseRealServices ? 'postgres' : 'pglite' });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('adds, lists, renames, removes after a step-up, and refuses to remove the last way in', async () => {
    const email = `console-${process.pid}@example.com`;
    const password = 'plum tree harbour lantern';
    const userId = await server.createUser({ email, password_hash: await hashPassword(password) });
    const tab = await openTab(browser);
    const { page } = tab;
    await addVirtualAuthenticator(page);
    const rows = () => server.db.knex('webauthn_credentials').where({ user_id: userId }).orderBy('created_at');

    await addPasskeyInConsole(page, server.issuer, { email, password }, 'Desk key');
    expect(await page.textContent('.notice')).toContain('Your passkey was added');
    const [row] = await rows();
    const item = page.locator(`li[data-passkey-id="${row.id}"]`);
    expect(await item.locator('h3').textContent()).toBe('Desk key');
    expect(await item.textContent()).toContain('On one device only');
    expect(await item.textContent()).toContain('Never');

    await page.fill(`#name-${row.id}`, 'Office laptop');
    await item.getByRole('button', { name: 'Rename' }).click();
    await page.waitForURL(/done=renamed$/);
    expect(await page.locator(`li[data-passkey-id="${row.id}"] h3`).textContent()).toBe('Office laptop');
    // The server checks the length too (the field's maxlength is only a hint to the browser).
    await page.locator(`#name-${row.id}`).evaluate((input) => input.removeAttribute('maxlength'));
    await page.fill(`#name-${row.id}`, 'x'.repeat(65));
    await page.locator(`li[data-passkey-id="${row.id}"]`).getByRole('button', { name: 'Rename' }).click();
    expect(await page.textContent('.error-summary')).toContain('at most 64 characters');
    expect((await rows())[0].name).toBe('Office laptop');

    // The console signed in with the password alone: removing a factor needs a fresh two-factor sign-in first.
    await page.goto(`${server.issuer}/account/passkeys`);
    await page.locator(`li[data-passkey-id="${row.id}"]`).getByRole('button', { name: 'Remove' }).click();
    await page.waitForURL(`${server.issuer}/account/passkeys`);
    expect(await rows()).toHaveLength(1);
    const stepUp = await server.db.knex('audit_events').where({ type: 'sign_in.success', subject_id: userId }).orderBy('occurred_at', 'desc').first();
    expect(stepUp.data).toMatchObject({ amr: ['hwk', 'mfa'] });
    await page.locator(`li[data-passkey-id="${row.id}"]`).getByRole('button', { name: 'Remove' }).click();
    await page.waitForURL(/done=removed$/);
    expect(await rows()).toHaveLength(0);
    expect(await server.db.knex('audit_events').where({ type: 'passkey.removed', subject_id: userId }).pluck('type')).toEqual(['passkey.removed']);

    // A passkey that is the account's only way in (no password, no proved address) stays.
    await page.fill('#name', 'Only key');
    await page.click('form[data-passkey="register"] button');
    await page.waitForURL(/done=added$/);
    await server.db.knex('users').where({ id: userId }).update({ password_hash: null, email_verified: false });
    const [only] = await rows();
    const refused = page.waitForResponse((response) => response.url().endsWith(`/account/passkeys/${only.id}/remove`));
    await page.locator(`li[data-passkey-id="${only.id}"]`).getByRole('button', { name: 'Remove' }).click();
    expect((await refused).status()).toBe(409);
    expect(await page.textContent('.error-summary')).toContain('last way to sign in');
    expect(await rows()).toHaveLength(1);
    expect(tab.problems.filter((p) => !/answered 4(00|09)/.test(p))).toEqual([]);
  }, 90_000);

  it('serves the page under the strict CSP with its scripts from our origin, and refuses a form without CSRF', async () => {
    const email = `console-csp-${process.pid}@example.com`;
    const password = 'plum tree harbour lantern';
    await server.createUser({ email, password_hash: await hashPassword(password) });
    const tab = await openTab(browser);
    await addVirtualAuthenticator(tab.page);
    await addPasskeyInConsole(tab.page, server.issuer, { email, password });
    const response = await tab.page.goto(`${server.issuer}/account/passkeys`);
    expect(response!.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    expect(await tab.page.locator('script').evaluateAll((scripts) => scripts.map((s) => s.getAttribute('src')))).toEqual([
      '/assets/simplewebauthn-browser.js',
      '/assets/passkeys.js',
    ]);
    const status = await tab.page.evaluate(async () => (await fetch('/account/passkeys/options', { method: 'POST', body: new URLSearchParams({}) })).status);
    expect(status).toBe(403);
    expect(tab.problems.filter((p) => !/answered 403/.test(p))).toEqual([]);
  }, 60_000);
});
