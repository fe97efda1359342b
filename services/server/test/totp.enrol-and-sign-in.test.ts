import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, noChromiumReason } from './support/chromium.ts';
import { expectNoProblems, landedOnCallback, signInWithPassword, startE2e, submit, type E2e } from './e2e/fixture.ts';

/**
 * Two-step verification in real Chromium: a person sets up an authenticator
 * app in the account console by reading the key off the page (the test plays
 * the app with otplib), sees ten recovery codes once, then signs in to an
 * app with password + code; the app's verified ID token says so
 * (amr pwd, otp, mfa; acr aal2). The seed is stored encrypted, never in clear.
 */
describe.skipIf(!hasChromium)(`TOTP enrol and sign in, in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e();
  });
  afterAll(() => e2e?.stop());

  it('enrols in the console, then signs in to an app with password and a code: amr pwd+otp+mfa, acr aal2', async () => {
    const user = await e2e.createPasswordUser();
    const consoleTab = await e2e.tab();
    await consoleTab.page.goto(`${e2e.server.issuer}/account/two-step`);
    await signInWithPassword(consoleTab.page, user.email, user.password);
    await consoleTab.page.waitForURL(`${e2e.server.issuer}/account/two-step`);
    await expect(consoleTab.page.getByRole('heading', { name: 'Two-step verification', level: 1 }).count()).resolves.toBe(1);

    await Promise.all([consoleTab.page.waitForEvent('load'), consoleTab.page.getByRole('link', { name: 'Set up an authenticator app' }).click()]);
    // The QR code is drawn on the server as inline SVG (no image service, nothing the CSP blocks).
    await expect(consoleTab.page.locator('figure.totp-qr svg path').count()).resolves.toBeGreaterThan(0);
    const secret = (await consoleTab.page.locator('#totp-secret').textContent())!.replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    // Stored encrypted while pending, and off until confirmed.
    const pending = await e2e.server.db.knex('users').where({ id: user.id }).first('totp_enabled', 'totp_secret');
    expect(pending.totp_enabled).toBe(false);
    expect(pending.totp_secret).toMatch(/^v1\./);
    expect(pending.totp_secret).not.toContain(secret);
    expect(e2e.server.keyring.decrypt('totp-seed', pending.totp_secret)).toBe(secret);

    // A wrong code is refused next to the field; the set-up stays.
    await consoleTab.page.getByLabel('Code from your authenticator app').fill('000000');
    await submit(consoleTab.page, 'Turn on');
    await expect(consoleTab.page.locator('.field-error').textContent()).resolves.toContain('not right');
    expect((await consoleTab.page.locator('#totp-secret').textContent())!.replace(/\s/g, '')).toBe(secret);

    await consoleTab.page.getByLabel('Code from your authenticator app').fill(await generate({ secret }));
    await submit(consoleTab.page, 'Turn on');
    const codes = await consoleTab.page.locator('#recovery-codes li').allTextContents();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code.trim()).toMatch(/^[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}$/);
    expectNoProblems(consoleTab);

    // Shown once: the section page now says on, with the count only.
    await consoleTab.page.goto(`${e2e.server.issuer}/account/two-step`);
    await expect(consoleTab.page.locator('#codes-left').textContent()).resolves.toContain('10 of 10');
    expect(await consoleTab.page.content()).not.toContain(codes[0]!.trim());
    const stored = await e2e.server.db.knex('recovery_codes').where({ user_id: user.id }).select('code_hash');
    expect(stored).toHaveLength(10);
    expect(stored.map((row: { code_hash: string }) => row.code_hash).join()).not.toContain(codes[0]!.trim().slice(0, 5));
    const events = await e2e.server.db.knex('audit_events').where({ subject_id: user.id }).whereIn('type', ['totp.enabled', 'recovery_codes.generated']).pluck('type');
    expect(events.sort()).toEqual(['recovery_codes.generated', 'totp.enabled']);

    // An app asks for sign-in in a fresh browser: password, then the second step.
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await signInWithPassword(tab.page, user.email, user.password);
    expect(new URL(tab.page.url()).pathname).toMatch(/^\/interaction\/[^/]+\/mfa$/);
    await expect(tab.page.getByRole('heading', { name: 'Two-step verification' }).count()).resolves.toBe(1);
    // The code of the next time step: the set-up already used this one's.
    await tab.page.getByLabel('Code from your authenticator app').fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await submit(tab.page, 'Verify');
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
    const tokens = await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), request);
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(user.id);
    expect([...(claims.amr as string[])].sort()).toEqual(['mfa', 'otp', 'pwd']);
    expect(claims.acr).toBe('aal2');
    expectNoProblems(tab);
  });
});
