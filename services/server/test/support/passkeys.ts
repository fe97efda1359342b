import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './chromium.ts';
import { startRelyingParty, type RelyingParty, type RpClient } from './rp.ts';
import { canUseRealServices, startTestServer, type MailTestServer, type TestServer } from './server.ts';
import { extractCode } from './smtp.ts';

/**
 * A CDP virtual authenticator in a Chromium page: a platform authenticator
 * with resident keys and user verification, which answers WebAuthn calls
 * (conditional UI included) without a prompt, as a person touching it would.
 */
export type VirtualAuthenticator = {
  cdp: CDPSession;
  id: string;
  credentials: () => Promise<VirtualCredential[]>;
  addCredential: (credential: VirtualCredential) => Promise<void>;
  setUserVerified: (verified: boolean) => Promise<void>;
  remove: () => Promise<void>;
};

export type VirtualCredential = {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
};

export async function addVirtualAuthenticator(page: Page, options: { isUserVerified?: boolean } = {}): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: options.isUserVerified ?? true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    cdp,
    id: authenticatorId,
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials as VirtualCredential[],
    addCredential: async (credential) => {
      await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    },
    setUserVerified: async (verified) => {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: verified });
    },
    remove: async () => {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    },
  };
}

/** Fills the hosted sign-up form from the sign-in page the browser is on, then the mailed code; stops where the server sends it next. */
export async function signUpFromSignInPage(page: Page, server: MailTestServer, fields: { email: string; password: string; name?: string }): Promise<void> {
  await page.click('a[href$="/signup"]');
  await page.fill('#name', fields.name ?? 'Ada Lovelace');
  await page.fill('#email', fields.email);
  await page.fill('#password', fields.password);
  await page.click('button.primary');
  await page.waitForURL(/\/signup\/verify$/);
  await page.fill('#code', extractCode(await server.mail.nextMailTo(fields.email)));
  await page.click('button.primary');
}

/** Waits until the browser lands on the RP's callback, and exchanges the code there (ID token signature checked). */
export async function finishAtRp(page: Page, rp: RpClient, request: Parameters<RpClient['finish']>[1], callbackUrl: string) {
  await page.waitForURL((url) => url.href.startsWith(callbackUrl), { timeout: 15_000 });
  return rp.finish(new URL(page.url()), request);
}

/**
 * Signs a password account in to the account console in this page (hosted
 * sign-in page, no second factor yet) and adds a passkey there; returns once
 * the console says it was added.
 */
export async function addPasskeyInConsole(page: Page, issuer: string, account: { email: string; password: string }, name = 'My laptop'): Promise<void> {
  await page.goto(`${issuer}/account/passkeys`);
  await page.fill('#email', account.email);
  await page.fill('#password', account.password);
  await page.click('form[action$="/password"] button.primary');
  await page.waitForURL(`${issuer}/account/passkeys`);
  await page.fill('#name', name);
  await page.click('form[data-passkey="register"] button');
  await page.waitForURL(`${issuer}/account/passkeys?done=added`);
}

/**
 * Lets the browser run the passkey ceremony on the sign-in page but keeps its
 * POST from reaching the server: returns the form body it would have sent
 * (the assertion and the CSRF token) and its cookies, for a test to post.
 */
export async function captureAssertion(page: Page, url: string): Promise<{ path: string; body: string; cookie: string }> {
  let resolve!: (value: { path: string; body: string; cookie: string }) => void;
  const captured = new Promise<{ path: string; body: string; cookie: string }>((r) => (resolve = r));
  await page.route(/\/interaction\/[^/]+\/passkey$/, async (route) => {
    const request = route.request();
    if (request.method() !== 'POST') return route.continue();
    const headers = await request.allHeaders();
    resolve({ path: new URL(request.url()).pathname, body: request.postData() ?? '', cookie: headers.cookie ?? '' });
    await route.abort();
  });
  await page.goto(url);
  const result = await captured;
  await page.unroute(/\/interaction\/[^/]+\/passkey$/);
  return result;
}

/**
 * A server (real Postgres when there is one), a relying party and Chromium
 * for one test file: started before its tests, stopped after. Read the
 * fields inside a test, once beforeAll has run.
 */
export function usePasskeyRig(): { server: TestServer; rp: RelyingParty; browser: Browser } {
  const rig = {} as { server: TestServer; rp: RelyingParty; browser: Browser };
  beforeAll(async () => {
    rig.server = await startTestServer({ backend: canUseRealServices ? 'postgres' : 'pglite' });
    rig.rp = await startRelyingParty();
    rig.browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await rig.browser?.close();
    await rig.rp?.close();
    await rig.server?.stop();
  });
  return rig;
}
