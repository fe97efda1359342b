import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../services/server/src/password/hash.ts';
import { hasChromium, launchChromium, noChromiumReason } from '../../../services/server/test/support/chromium.ts';
import { canUseRealServices, startTestServer, type TestServer } from '../../../services/server/test/support/server.ts';
import { signInWithPassword } from '../../../services/server/test/e2e/fixture.ts';
import { createProof, describeKey, generateKeyPair } from '../src/dpop.ts';
import { startTestSpa, type TestSpa } from './support/spa.ts';

// What the page exposes (support/spa.ts); typed loosely since it runs in Chromium.
type PageWindow = {
  latchkey: {
    signIn: (o?: object) => Promise<void>;
    signOut: () => Promise<void>;
    getAccessToken: (o?: { forceRefresh?: boolean }) => Promise<string | null>;
    fetchWithAuth: (url: string) => Promise<Response>;
    user: Record<string, unknown> | null;
  };
  events: string[];
  redirected: Promise<unknown>;
};
declare const window: PageWindow;

describe.skipIf(!hasChromium)(`@latchkey/browser in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let server: TestServer;
  let spa: TestSpa;
  let browser: Browser;
  let context: BrowserContext;
  let clientId: string;
  let userinfo: string;
  let token: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ backend: canUseRealServices ? 'postgres' : 'pglite', env: { REDIS_URL: '' } }), launchChromium()]);
    // The SPA runs on 127.0.0.1, the issuer on localhost: every call to Latchkey is cross-origin (CORS).
    spa = await startTestSpa((origin) => ({
      issuer: server.issuer,
      clientId,
      redirectUri: `${origin}/callback`,
      postLogoutRedirectUri: `${origin}/`,
      scopes: ['openid', 'email', 'profile', 'offline_access'],
    }));
    clientId = (await server.createClient({ public: true, redirect_uris: [spa.callbackUrl], post_logout_redirect_uris: [`${spa.origin}/`] })).client_id;
    const discovery = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json();
    userinfo = discovery.userinfo_endpoint;
    context = await browser.newContext({ locale: 'en-US' });
    context.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await context?.close();
    await Promise.allSettled([browser?.close(), spa?.close(), server?.stop()]);
  });

  const open = async (page: Page) => {
    await page.goto(`${spa.origin}/`);
    await page.waitForFunction(() => 'latchkey' in window);
  };
  const stored = (page: Page) => page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null'), `latchkey:${clientId}`);
  const callUserinfo = (page: Page) =>
    page.evaluate(async (url) => {
      const response = await window.latchkey.fetchWithAuth(url);
      return { status: response.status, body: await response.json() };
    }, userinfo);

  let tab1: Page;

  it('signs in: PKCE + DPoP code flow, iss checked, ID token validated, tokens bound to the browser key', async () => {
    const email = `spa-${randomBytes(4).toString('hex')}@example.com`;
    const password = `correct horse ${randomBytes(4).toString('hex')}`;
    await server.createUser({ email, password_hash: await hashPassword(password) });
    tab1 = await context.newPage();
    await open(tab1);
    expect(await tab1.evaluate(() => window.redirected)).toBeNull();
    const [request] = await Promise.all([
      tab1.waitForRequest((r) => r.url().startsWith(`${server.issuer}/auth?`)),
      tab1.evaluate(() => void window.latchkey.signIn()),
    ]);
    const authorization = new URL(request.url());
    await signInWithPassword(tab1, email, password);
    await tab1.getByRole('button', { name: 'Allow', exact: true }).click();
    await tab1.waitForURL((url) => url.href.startsWith(spa.callbackUrl));
    const result = (await tab1.evaluate(() => window.redirected)) as { user?: { email: string; sub: string }; error?: string };
    expect(result.error).toBeUndefined();
    expect(result.user?.email).toBe(email);
    expect(await tab1.evaluate(() => window.latchkey.user?.email)).toBe(email);
    expect(await tab1.evaluate(() => [...window.events])).toEqual(['signedIn']);
    // The code left the address bar.
    expect(new URL(tab1.url()).search).toBe('');

    token = (await tab1.evaluate(() => window.latchkey.getAccessToken()))!;
    const tokens = await stored(tab1);
    expect(tokens).toMatchObject({ access_token: token, token_type: 'DPoP', refresh_token: expect.any(String) });
    expect(authorization.searchParams.get('dpop_jkt')).toMatch(/^[\w-]{43}$/);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');

    const me = await callUserinfo(tab1);
    expect(me).toMatchObject({ status: 200, body: { sub: result.user?.sub, email } });
    // The key in IndexedDB cannot be read out of the browser.
    const extractable = await tab1.evaluate(
      (id) =>
        new Promise((resolve) => {
          const request = indexedDB.open('latchkey');
          request.onsuccess = () => {
            const get = request.result.transaction('keys').objectStore('keys').get(id);
            get.onsuccess = () => resolve(get.result.privateKey.extractable);
          };
        }),
      clientId,
    );
    expect(extractable).toBe(false);
  });

  it('refuses the DPoP-bound access token replayed from another key, or as a Bearer token', async () => {
    const thief = await describeKey(await generateKeyPair());
    const withThiefsProof = await fetch(userinfo, {
      headers: { authorization: `DPoP ${token}`, dpop: await createProof(thief, 'GET', userinfo, { accessToken: token }) },
    });
    expect(withThiefsProof.status).toBe(401);
    const asBearer = await fetch(userinfo, { headers: { authorization: `Bearer ${token}` } });
    expect(asBearer.status).toBe(401);
  });

  it('refuses the refresh token redeemed with another key (a stolen refresh token is useless elsewhere)', async () => {
    const { refresh_token: refreshToken } = await stored(tab1);
    const thief = await describeKey(await generateKeyPair());
    const discovery = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json();
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { dpop: await createProof(thief, 'POST', discovery.token_endpoint) },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('invalid_grant');
  });

  it('refreshes in two tabs at once with one redemption: the grant survives and both tabs keep working', async () => {
    const tab2 = await context.newPage();
    await open(tab2);
    const before = await stored(tab1);
    const [a, b] = await Promise.all([
      tab1.evaluate(() => window.latchkey.getAccessToken({ forceRefresh: true })),
      tab2.evaluate(() => window.latchkey.getAccessToken({ forceRefresh: true })),
    ]);
    // One tab redeemed the refresh token; the other waited for the lock and took its result.
    expect(a).toBe(b);
    expect(a).not.toBe(before.access_token);
    const after = await stored(tab2);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    const refreshes = [...(await tab1.evaluate(() => window.events)), ...(await tab2.evaluate(() => window.events))].filter((e) => e === 'tokenRefreshed');
    expect(refreshes).toHaveLength(1);

    expect((await callUserinfo(tab1)).status).toBe(200);
    expect((await callUserinfo(tab2)).status).toBe(200);
    // The rotated refresh token still works: no reuse was detected, the grant is intact.
    const again = await tab2.evaluate(() => window.latchkey.getAccessToken({ forceRefresh: true }));
    expect(again).not.toBe(a);
    expect((await callUserinfo(tab1)).status).toBe(200);
    expect(await tab1.evaluate(() => window.events.filter((e) => e.startsWith('error')))).toEqual([]);
    await tab2.close();
  });

  it('signs out: refresh token revoked, tokens and key forgotten, Latchkey session ended', async () => {
    const { refresh_token: refreshToken, access_token: accessToken } = await stored(tab1);
    await tab1.evaluate(() => void window.latchkey.signOut());
    await tab1.getByRole('button', { name: 'Sign out', exact: true }).click();
    await tab1.waitForURL(`${spa.origin}/`);
    await tab1.waitForFunction(() => 'latchkey' in window);
    expect(await stored(tab1)).toBeNull();
    expect(await tab1.evaluate(() => window.latchkey.user)).toBeNull();
    expect(await tab1.evaluate(() => window.latchkey.getAccessToken())).toBeNull();
    const keyCount = await tab1.evaluate(
      () =>
        new Promise((resolve) => {
          const request = indexedDB.open('latchkey');
          request.onsuccess = () => {
            const count = request.result.transaction('keys').objectStore('keys').count();
            count.onsuccess = () => resolve(count.result);
          };
        }),
    );
    expect(keyCount).toBe(0);
    // The server forgot them too.
    const introspect = await fetch(userinfo, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(introspect.status).toBe(401);
    const discovery = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json();
    const thief = await describeKey(await generateKeyPair());
    const refresh = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { dpop: await createProof(thief, 'POST', discovery.token_endpoint) },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
    });
    expect((await refresh.json()).error).toBe('invalid_grant');
  });
});
