import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, noChromiumReason, type Tab } from '../support/chromium.ts';
import { expectNoProblems, landedOnCallback, startE2e, type E2e } from './fixture.ts';

describe.skipIf(!hasChromium)(`RP-initiated logout in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e();
  });
  afterAll(() => e2e?.stop());

  /** A signed-in browser and the ID token the RP got. */
  async function signedIn(): Promise<{ tab: Tab; idToken: string }> {
    const { tab, tokens } = await e2e.signInAndAllow();
    return { tab, idToken: tokens.id_token! };
  }

  it('asks for confirmation, signs out with a POST, and returns to the registered post-logout URI with state', async () => {
    const { tab, idToken } = await signedIn();
    await tab.page.goto(e2e.app.endSessionUrl(idToken, 'bye-123').href);
    const signOut = tab.page.getByRole('button', { name: 'Sign out', exact: true });
    await signOut.waitFor();
    // The confirmation is a form that POSTs with a CSRF token; nothing happened yet.
    const form = tab.page.locator('form', { has: signOut });
    await expect(form.getAttribute('method')).resolves.toMatch(/post/i);
    await expect(form.locator('input[type=hidden]').count()).resolves.toBeGreaterThan(0);
    await signOut.click();

    await tab.page.waitForURL((url) => url.href.startsWith(e2e.rp.loggedOutUrl));
    expect(new URL(tab.page.url()).searchParams.get('state')).toBe('bye-123');

    // The session is gone: a silent request now needs a sign-in.
    const silent = await e2e.app.authorizationRequest({ prompt: 'none' });
    await tab.page.goto(silent.url.href);
    const callback = await landedOnCallback(tab.page, e2e.rp);
    expect(callback.searchParams.get('error')).toBe('login_required');
    expectNoProblems(tab);
  });

  it('"Stay signed in" keeps the Latchkey session (no sign-in page next time)', async () => {
    const { tab, idToken } = await signedIn();
    await tab.page.goto(e2e.app.endSessionUrl(idToken).href);
    await tab.page.getByRole('button', { name: 'Stay signed in', exact: true }).click();
    await tab.page.waitForURL((url) => url.href.startsWith(e2e.rp.loggedOutUrl));

    // The app lost its authorization (oidc-provider's semantics) but the person is still signed in:
    // the next request goes straight to consent, not to the sign-in form.
    const next = await e2e.app.authorizationRequest();
    await tab.page.goto(next.url.href);
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).waitFor();
    await expect(tab.page.getByLabel('Password', { exact: true }).count()).resolves.toBe(0);
  });

  it('never redirects to a post-logout URI the client did not register', async () => {
    const { tab, idToken } = await signedIn();
    const url = e2e.app.endSessionUrl(idToken);
    url.searchParams.set('post_logout_redirect_uri', 'http://127.0.0.1:1/evil');
    const response = await tab.page.goto(url.href);
    expect(new URL(tab.page.url()).origin).toBe(new URL(e2e.server.issuer).origin);
    expect(response?.status()).toBeGreaterThanOrEqual(400);
    await expect(tab.page.getByRole('button', { name: 'Sign out', exact: true }).count()).resolves.toBe(0);
  });
});
