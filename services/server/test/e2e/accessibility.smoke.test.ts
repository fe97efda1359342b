import * as client from 'openid-client';
import type { Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '../../src/accounts/invitations.ts';
import { hasChromium, noChromiumReason, unlabelledControls, type Tab } from '../support/chromium.ts';
import { landedOnCallback, signInWithPassword, startE2e, submit, uniqueEmail, type E2e } from './fixture.ts';

/**
 * Walks every hosted page a person can reach and checks each the same way:
 * every control has a label, the page has a language and one h1, the headers
 * forbid framing and referrers and allow no inline script, and Chromium
 * logged no error (a CSP violation is one). Problems are gathered per page,
 * so one run lists all of them.
 */
describe.skipIf(!hasChromium)(`accessibility and page-safety smoke check${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let e2e: E2e;
  beforeAll(async () => {
    e2e = await startE2e({ env: { LATCHKEY_SIGNUP: 'open' } });
  });
  afterAll(() => e2e?.stop());

  const found: Record<string, string[]> = {};

  /** The document response the tab is showing now. */
  function lastDocument(tab: Tab): () => Response | undefined {
    let last: Response | undefined;
    tab.page.on('response', (response) => {
      if (response.request().resourceType() === 'document' && response.frame() === tab.page.mainFrame()) last = response;
    });
    return () => last;
  }

  async function check(name: string, tab: Tab, current: () => Response | undefined): Promise<void> {
    await tab.page.waitForLoadState();
    const issues: string[] = [];
    for (const control of await unlabelledControls(tab.page)) issues.push(`unlabelled control: ${control}`);
    if (!(await tab.page.locator('html[lang]').count())) issues.push('no lang on <html>');
    const h1 = await tab.page.locator('h1').count();
    if (h1 !== 1) issues.push(`${h1} h1 elements`);
    const headers = (await current()?.allHeaders()) ?? {};
    const csp = headers['content-security-policy'] ?? '';
    if (!csp.includes("frame-ancestors 'none'")) issues.push(`CSP without frame-ancestors 'none': "${csp}"`);
    // Scripts fall under script-src, or default-src without one; neither may allow inline or eval'd code.
    const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));
    const scripts = directives.get('script-src') ?? directives.get('default-src');
    if (scripts === undefined || /unsafe-inline|unsafe-eval|\*/.test(scripts)) issues.push(`CSP allows inline script, or none is set: "${csp}"`);
    if (headers['referrer-policy'] !== 'no-referrer') issues.push(`Referrer-Policy is "${headers['referrer-policy']}"`);
    if (!/no-store/.test(headers['cache-control'] ?? '')) issues.push(`Cache-Control is "${headers['cache-control']}"`);
    for (const form of await tab.page.locator('form[method=post i]').all()) {
      if (!(await form.locator('input[type=hidden][name=csrf], input[type=hidden][name=xsrf]').count())) {
        issues.push(`POST form to ${await form.getAttribute('action')} without a CSRF field`);
      }
    }
    issues.push(...tab.problems.splice(0));
    found[name] = issues;
  }

  it('sign-in, email code, sign-up, reset, consent pages', async () => {
    const user = await e2e.createPasswordUser();
    const tab = await e2e.tab();
    const doc = lastDocument(tab);
    const request = await e2e.app.authorizationRequest();
    await tab.page.goto(request.url.href);
    const signInUrl = tab.page.url();
    await check('sign-in', tab, doc);

    await submit(tab.page, 'Sign in');
    await check('sign-in with errors', tab, doc);

    await tab.page.goto(`${signInUrl}/email-code`);
    await check('email code: address', tab, doc);
    await tab.page.getByLabel('Email address').fill(user.email);
    await submit(tab.page, 'Send code');
    await check('email code: code', tab, doc);
    await e2e.mail.nextMailTo(user.email);

    await tab.page.goto(`${signInUrl}/signup`);
    await check('sign-up', tab, doc);
    const email = uniqueEmail('a11y');
    await tab.page.getByLabel('Email address').fill(email);
    await tab.page.getByLabel('Password', { exact: true }).fill('an accessible passphrase');
    await submit(tab.page, 'Create account');
    await tab.page.getByLabel('Code from your email').waitFor();
    await check('sign-up: code', tab, doc);
    await e2e.mail.nextMailTo(email);

    await tab.page.goto(`${signInUrl}/reset`);
    await check('reset: address', tab, doc);
    await tab.page.getByLabel('Email address').fill(user.email);
    await submit(tab.page, 'Send code');
    await tab.page.getByLabel('New password').waitFor();
    await check('reset: code + new password', tab, doc);
    await e2e.mail.nextMailTo(user.email);

    await tab.page.goto(signInUrl);
    await signInWithPassword(tab.page, user.email, user.password);
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).waitFor();
    await check('consent', tab, doc);
    await submit(tab.page, 'Allow');
    const tokens = await e2e.app.finish(await landedOnCallback(tab.page, e2e.rp), request);

    await tab.page.goto(e2e.app.endSessionUrl(tokens.id_token!).href);
    await check('logout: confirm', tab, doc);

    // No post-logout URI: the provider's own "signed out" page.
    const bare = new URL(e2e.app.endSessionUrl(tokens.id_token!));
    bare.searchParams.delete('post_logout_redirect_uri');
    await tab.page.goto(bare.href);
    await submit(tab.page, 'Sign out');
    await tab.page.waitForLoadState();
    await check('logout: done', tab, doc);

    await tab.page.goto(`${e2e.server.issuer}/interaction/no-such-interaction`);
    await check('expired interaction', tab, doc);

    await tab.page.goto(`${e2e.server.issuer}/auth?client_id=no-such-client&response_type=code&scope=openid`);
    await check('provider error page', tab, doc);
  });

  it('device pages and the invitation sign-up page', async () => {
    const user = await e2e.createPasswordUser();
    const tab = await e2e.tab();
    const doc = lastDocument(tab);
    const device = await client.initiateDeviceAuthorization(e2e.app.config, { scope: 'openid' });
    await tab.page.goto(device.verification_uri);
    await check('device: enter code', tab, doc);
    await tab.page.getByLabel('Code shown on your device').fill('WRONG-CODE');
    await submit(tab.page, 'Continue');
    await tab.page.getByRole('alert').waitFor();
    await check('device: wrong code', tab, doc);

    await tab.page.goto(device.verification_uri_complete!);
    await check('device: check code (link with the code)', tab, doc);
    await submit(tab.page, 'Continue');
    await signInWithPassword(tab.page, user.email, user.password);
    await tab.page.getByRole('button', { name: 'Allow', exact: true }).waitFor();
    await check('device: allow', tab, doc);
    await submit(tab.page, 'Allow');
    await tab.page.waitForLoadState();
    await check('device: connected', tab, doc);

    const invitation = await createInvitation(
      { knex: e2e.server.db.knex, keyring: e2e.server.keyring, issuer: e2e.server.issuer },
      { email: null, scopes: [], expiresInSeconds: 600 },
    );
    await tab.page.goto(invitation.url);
    await check('invitation sign-up', tab, doc);
  });

  it('no page had a problem', () => {
    expect(Object.keys(found).length).toBeGreaterThan(10);
    const withProblems = Object.fromEntries(Object.entries(found).filter(([, issues]) => issues.length));
    expect(withProblems).toEqual({});
  });
});
