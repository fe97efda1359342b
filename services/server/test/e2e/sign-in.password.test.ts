import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, noChromiumReason } from '../support/chromium.ts';
import { expectNoProblems, landedOnCallback, signInWithPassword, startE2e, uniqueEmail, type E2e } from './fixture.ts';

describe.skipIf(!hasChromium)(`sign-in with a password in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e();
  });
  afterAll(() => e2e?.stop());

  it('the right password signs in and the flow finishes at the RP', async () => {
    const user = await e2e.createPasswordUser();
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await expect(tab.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
    await expect(tab.page.getByText(e2e.app.name).first().isVisible()).resolves.toBe(true);
    // Password managers rely on these tokens ('webauthn': the browser offers passkeys in the same autofill).
    await expect(tab.page.getByLabel('Email address').getAttribute('autocomplete')).resolves.toBe('username webauthn');
    await expect(tab.page.getByLabel('Password', { exact: true }).getAttribute('autocomplete')).resolves.toBe('current-password');

    await signInWithPassword(tab.page, user.email.toUpperCase(), user.password);
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
    const tokens = await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), request);
    expect(tokens.claims()?.sub).toBe(user.id);
    expectNoProblems(tab);
  });

  it('a wrong password and a missing account get the same announced error, and the address is kept', async () => {
    const user = await e2e.createPasswordUser();
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);

    const texts: string[] = [];
    for (const [email, password] of [[user.email, 'wrong password here'], [uniqueEmail('missing'), 'wrong password here']] as const) {
      await signInWithPassword(tab.page, email, password);
      const alert = tab.page.getByRole('alert');
      await alert.waitFor();
      texts.push((await alert.textContent())!.replace(/\s+/g, ' ').trim());
      await expect(tab.page.getByLabel('Email address').inputValue()).resolves.toBe(email);
      await expect(tab.page.getByLabel('Password', { exact: true }).inputValue()).resolves.toBe('');
    }
    expect(texts[0]).toMatch(/do not match/);
    expect(texts[1]).toBe(texts[0]);
    expectNoProblems(tab);
  });

  it('empty fields: each error sits next to its field and is linked from the summary', async () => {
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await tab.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const email = tab.page.getByLabel('Email address');
    await tab.page.getByRole('alert').waitFor();
    await expect(email.getAttribute('aria-invalid')).resolves.toBe('true');
    const describedBy = (await email.getAttribute('aria-describedby')) ?? '';
    const errorText = await tab.page.locator(`[id="${describedBy.split(' ').find((id) => id.endsWith('-error'))}"]`).textContent();
    expect(errorText).toMatch(/email/i);
    await expect(tab.page.getByRole('alert').getByRole('link', { name: errorText! }).getAttribute('href')).resolves.toBe('#email');
  });

  it('prompt=login lets another person sign in on the same browser; the RP gets the new subject', async () => {
    const first = await e2e.createPasswordUser();
    const second = await e2e.createPasswordUser();
    const tab = await e2e.tab();
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await signInWithPassword(tab.page, first.email, first.password);
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
    await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), request);

    const again = await e2e.app.authorizationRequest({ prompt: 'login' });
    await tab.page.goto(again.url.href);
    await signInWithPassword(tab.page, second.email, second.password);
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
    const tokens = await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), again);
    expect(tokens.claims()?.sub).toBe(second.id);
  });

  it('works with JavaScript disabled, all the way to the RP', async () => {
    const user = await e2e.createPasswordUser();
    const tab = await e2e.tab({ javaScriptEnabled: false });
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    await signInWithPassword(tab.page, user.email, user.password);
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
    const tokens = await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), request);
    expect(tokens.claims()?.sub).toBe(user.id);
  });
});
