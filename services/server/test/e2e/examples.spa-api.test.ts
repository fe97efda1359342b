import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/password/hash.ts';
import { personalToken } from '../support/api.ts';
import { hasChromium, launchChromium, noChromiumReason } from '../support/chromium.ts';
import { buildSpa, registerExamples, serveStatic, startExampleApi, startExampleLatchkey, type ExampleApi, type ExampleLatchkey, type StaticSite } from '../support/examples.ts';
import { freePort } from '../support/server.ts';
import { signInWithPassword } from './fixture.ts';

/**
 * The examples as shipped, end to end: examples/setup.mts registers them, Vite
 * builds the SPA, the example API runs in its own process; Chromium signs in
 * through the hosted pages. Attacks: a refresh in two tabs at once must not
 * look like refresh-token reuse (which would revoke the grant); a DPoP-bound
 * token stolen from the browser, replayed with the page's own proof or with
 * another key's, or as a Bearer token, must be refused by the API; after
 * sign-out the API must refuse what the SPA held.
 */
describe.skipIf(!hasChromium)(`examples/spa + examples/api in Chromium${hasChromium ? '' : ` (skipped: ${noChromiumReason})`}`, () => {
  let latchkey: ExampleLatchkey;
  let site: StaticSite;
  let api: ExampleApi;
  let browser: Browser;
  let context: BrowserContext;
  let dir: string;
  let clientId: string;
  let userId: string;
  const email = `example-${randomBytes(4).toString('hex')}@example.com`;
  const password = `correct horse ${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'latchkey-examples-'));
    const distDir = path.join(dir, 'dist');
    [latchkey, browser, site] = await Promise.all([startExampleLatchkey(), launchChromium(), serveStatic(distDir)]);
    // The SPA on 127.0.0.1, Latchkey and the API on localhost: every call the SPA makes is cross-origin (CORS).
    const apiUrl = `http://localhost:${await freePort()}`;
    const registration = await registerExamples(latchkey, { spaOrigin: site.origin, apiUrl, dir });
    // On a database the CLI can reach (CI's Postgres), setup.mts itself registered them.
    if (latchkey.databaseUrl) expect(registration.via).toBe('setup.mts');
    clientId = registration.spaEnv.VITE_CLIENT_ID!;
    buildSpa(registration.spaEnv, distDir);
    api = await startExampleApi(registration.apiEnvFile, apiUrl);
    userId = await latchkey.createUser({ email, password_hash: await hashPassword(password), scopes: ['read:things'] });
    context = await browser.newContext({ locale: 'en-US' });
    context.setDefaultTimeout(15_000);
  });
  afterAll(async () => {
    await context?.close();
    await Promise.allSettled([browser?.close(), site?.close(), api?.stop(), latchkey?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const stored = (page: Page) => page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null'), `latchkey:${clientId}`);
  const open = async (page: Page) => {
    await page.goto(`${site.origin}/`);
    await page.getByRole('status').filter({ hasText: /^Signed (in|out)\.$/ }).waitFor();
  };
  /** Clicks a button of the SPA and waits for the answer it shows. */
  async function click(page: Page, button: string, until: RegExp): Promise<string> {
    await page.getByRole('button', { name: button, exact: true }).click();
    await page.locator('#output').filter({ hasText: until }).waitFor();
    return (await page.locator('#output').textContent()) ?? '';
  }
  const answer = (text: string) => JSON.parse(text.slice(text.indexOf('\n') + 1));

  let tab1: Page;

  it('signs in through the hosted pages (code + PKCE + DPoP) and shows the user', async () => {
    tab1 = await context.newPage();
    await open(tab1);
    await tab1.getByRole('button', { name: 'Sign in', exact: true }).click();
    await tab1.waitForURL((url) => url.href.startsWith(latchkey.issuer));
    await signInWithPassword(tab1, email, password);
    await tab1.getByRole('button', { name: 'Allow', exact: true }).click();
    await tab1.waitForURL((url) => url.origin === site.origin);
    await tab1.getByRole('status').filter({ hasText: 'Signed in.' }).waitFor();
    expect(await tab1.locator('#user').textContent()).toBe(email);
    expect(await stored(tab1)).toMatchObject({ token_type: 'DPoP', refresh_token: expect.any(String) });
  });

  it('calls the API: the JWT route verifies locally, the other asks Latchkey; both 200 for this user', async () => {
    const jwt = await click(tab1, 'Call the API (JWT)', /→ \d{3}/);
    expect(jwt).toContain('GET /things → 200');
    expect(answer(jwt)).toMatchObject({ checked_by: 'jwt', user: userId, scopes: ['read:things'] });
    const live = await click(tab1, 'Call the API (introspection)', /→ \d{3}/);
    expect(live).toContain('GET /things/live → 200');
    expect(answer(live)).toMatchObject({ checked_by: 'introspection', user: userId, scopes: ['read:things'] });
  });

  it('refreshes in two tabs at once without revoking the grant', async () => {
    const tab2 = await context.newPage();
    await open(tab2);
    const before = await stored(tab1);
    await Promise.all([
      click(tab1, 'Refresh tokens', /tokens refreshed|failed|signed out/),
      click(tab2, 'Refresh tokens', /tokens refreshed|failed|signed out/),
    ]);
    expect(await tab1.locator('#output').textContent()).toBe('tokens refreshed');
    expect(await tab2.locator('#output').textContent()).toBe('tokens refreshed');
    const after = await stored(tab2);
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect((await stored(tab1)).access_token).toBe(after.access_token);
    // A reused refresh token would have revoked the grant, and introspection refuses a revoked grant's tokens.
    for (const tab of [tab1, tab2]) expect(await click(tab, 'Call the API (introspection)', /→ \d{3}/)).toContain('→ 200');
    // The rotated refresh token still redeems.
    expect(await click(tab2, 'Refresh tokens', /tokens refreshed|failed|signed out/)).toBe('tokens refreshed');
    expect(await click(tab1, 'Call the API (JWT)', /→ \d{3}/)).toContain('→ 200');
    await tab2.close();
  });

  it('accepts an opaque personal API token on the introspection route only', async () => {
    const { token } = await personalToken(latchkey, ['read:things'], { userId });
    const live = await fetch(`${api.url}/things/live`, { headers: { authorization: `Bearer ${token}` } });
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ checked_by: 'introspection', user: userId });
    const local = await fetch(`${api.url}/things`, { headers: { authorization: `Bearer ${token}` } });
    expect(local.status).toBe(401);
    expect(local.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it.each([
    ['/things', 'Call the API (JWT)'],
    ['/things/live', 'Call the API (introspection)'],
  ])('refuses the DPoP-bound token stolen from the page at %s: with the page\'s own proof, with another key, as a Bearer token', async (route, button) => {
    const url = `${api.url}${route}`;
    const [request] = await Promise.all([tab1.waitForRequest((r) => r.url() === url && r.method() === 'GET'), click(tab1, button, /→ \d{3}/)]);
    expect(await tab1.locator('#output').textContent()).toContain('→ 200');
    const headers = await request.allHeaders();
    const token = headers.authorization!.replace(/^DPoP /, '');
    expect(headers.dpop).toBeTruthy();

    const replayed = await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: headers.dpop! } });
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_dpop_proof"/);

    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const thiefProof = await new SignJWT({ htm: 'GET', htu: url, jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ath: createHash('sha256').update(token).digest('base64url') })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
      .sign(privateKey);
    expect((await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: thiefProof } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('signs out: the SPA forgets its tokens, the API then refuses its calls and the old token', async () => {
    const { access_token: accessToken } = await stored(tab1);
    await tab1.getByRole('button', { name: 'Sign out', exact: true }).click();
    await tab1.getByRole('button', { name: 'Sign out', exact: true }).and(tab1.locator('form button')).click();
    await tab1.waitForURL((url) => url.origin === site.origin);
    await tab1.getByRole('status').filter({ hasText: 'Signed out.' }).waitFor();
    expect(await stored(tab1)).toBeNull();
    // Calls from the page now carry no token.
    const calls = await tab1.evaluate(async (base) => Promise.all(['/things', '/things/live'].map(async (p) => (await fetch(base + p)).status)), api.url);
    expect(calls).toEqual([401, 401]);
    // The token the page held is no longer active: introspection refuses it at once.
    expect((await fetch(`${api.url}/things/live`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(401);
  });
});
