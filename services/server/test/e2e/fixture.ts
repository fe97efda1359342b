import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';
import { hashPassword } from '../../src/password/hash.ts';
import { launchChromium, openTab, type Tab } from '../support/chromium.ts';
import { startRelyingParty, type RelyingParty, type RpClient } from '../support/rp.ts';
import { canUseRealServices, startTestServer, type TestServer } from '../support/server.ts';
import { startMailCatcher, type MailCatcher } from '../support/smtp.ts';

/**
 * Everything one e2e file shares: a Latchkey server whose mail goes to a real
 * SMTP server run by the test, a relying party with its own callback server,
 * and one Chromium. Real Postgres when the test database is configured (else
 * PGlite); always the in-process store, so another file's rate-limit tests
 * hammering 127.0.0.1 in a shared Redis cannot throttle these pages.
 */
export type E2e = {
  server: TestServer;
  mail: MailCatcher;
  rp: RelyingParty;
  app: RpClient;
  browser: Browser;
  tab: (options?: BrowserContextOptions) => Promise<Tab>;
  /** A user who can sign in with `password`. */
  createPasswordUser: (fields?: Record<string, unknown>) => Promise<{ id: string; email: string; password: string }>;
  /** A new user signs in with a password in a new tab, allows the app, and the app redeems the code. */
  signInAndAllow: (params?: Record<string, string>) => Promise<{
    user: { id: string; email: string; password: string };
    tab: Tab;
    tokens: Awaited<ReturnType<RpClient['finish']>>;
  }>;
  stop: () => Promise<void>;
};

export async function startE2e(options: { env?: Record<string, string> } = {}): Promise<E2e> {
  const [mail, rp, browser] = await Promise.all([startMailCatcher(), startRelyingParty(), launchChromium()]);
  const server = await startTestServer({
    backend: canUseRealServices ? 'postgres' : 'pglite',
    env: { SMTP_URL: mail.url, REDIS_URL: '', ...options.env },
  });
  const app = await rp.register(server);
  const tabs: Tab[] = [];
  const e2e: E2e = {
    server,
    mail,
    rp,
    app,
    browser,
    async tab(contextOptions) {
      const tab = await openTab(browser, contextOptions);
      tabs.push(tab);
      return tab;
    },
    async createPasswordUser(fields = {}) {
      const email = `user-${randomBytes(5).toString('hex')}@example.com`;
      const password = `correct horse ${randomBytes(4).toString('hex')} staple`;
      const id = await server.createUser({ email, password_hash: await hashPassword(password), ...fields });
      return { id, email, password };
    },
    async signInAndAllow(params) {
      const user = await e2e.createPasswordUser();
      const tab = await e2e.tab();
      const request = await app.authorizationRequest(params);
      await tab.page.goto(request.url.href);
      await signInWithPassword(tab.page, user.email, user.password);
      await tab.page.getByRole('button', { name: 'Allow', exact: true }).click();
      const tokens = await app.finish(await landedOnCallback(tab.page, rp), request);
      return { user, tab, tokens };
    },
    async stop() {
      await Promise.allSettled(tabs.map((t) => t.close()));
      await Promise.allSettled([browser.close(), mail.close(), rp.close(), server.stop()]);
    },
  };
  return e2e;
}

export const uniqueEmail = (prefix = 'person') => `${prefix}-${randomBytes(5).toString('hex')}@example.com`;

/** Waits for the browser to land on the RP's callback and returns that URL. */
export async function landedOnCallback(page: Page, rp: RelyingParty): Promise<URL> {
  await page.waitForURL((url) => url.href.startsWith(rp.callbackUrl));
  return new URL(page.url());
}

/** Console errors and CSP violations must not happen on any hosted page. */
export function expectNoProblems(tab: Tab): void {
  expect(tab.problems, 'console errors / CSP violations on hosted pages').toEqual([]);
}

/**
 * Clicks a submit button and waits until the next document has loaded, so
 * what the test reads next is the answer, not the page it submitted from
 * (an error page can look like the page before it).
 */
export async function submit(page: Page, button: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: button, exact: true }).click()]);
}

/** Signs in with email + password from the sign-in page (the page must be open). */
export async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await submit(page, 'Sign in');
}
