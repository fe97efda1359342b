import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICIES } from '../src/ratelimit/index.ts';
import { inputValue, isInteraction, PageClient, signInOnly } from './support/hosted-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

async function deviceClient(server: TestServer, fields: Parameters<TestServer['createClient']>[0] = {}) {
  const created = await server.createClient({ public: true, name: `Living Room TV ${Math.random().toString(36).slice(2, 8)}`, ...fields });
  const config = await client.discovery(new URL(server.issuer), created.client_id, { token_endpoint_auth_method: 'none' }, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  const name = (await server.db.knex('clients').where({ id: created.client_id }).first()).name as string;
  return { ...created, config, name };
}

function tokenRequest(server: TestServer, client_id: string, device_code: string) {
  return fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code, client_id }).toString(),
  });
}

const DEVICE_CODE_ATTEMPTS = DEFAULT_POLICIES['device-code'].perIp!.points;

/** Opens /device and submits `code`; returns the response to the code entry. */
async function enterCode(browser: PageClient, code: string): Promise<Response> {
  const entry = await browser.get('/device');
  const page = await entry.text();
  const form: Record<string, string> = { xsrf: inputValue(page, 'xsrf'), user_code: code };
  if (page.includes('name="confirm"')) form.confirm = inputValue(page, 'confirm');
  return browser.post('/device', form);
}

describe.each(backends)('device flow pages (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server?.stop());

  it('GET /device is our code entry page: labelled one-time-code field, xsrf field, strict CSP', async () => {
    const browser = new PageClient(server.issuer);
    const response = await browser.get('/device');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await response.text();
    expect(page).toContain('<link rel="stylesheet" href="/assets/latchkey.css">');
    expect(page).toMatch(/<label for="user_code">Code shown on your device<\/label>/);
    expect(page).toMatch(/<input id="user_code" name="user_code" type="text"[^>]* autocomplete="one-time-code" inputmode="text"/);
    expect(page).toContain('Capitals and dashes do not matter');
    expect(inputValue(page, 'xsrf')).toMatch(/^[0-9a-f]{48}$/);
    expect(page).not.toContain('<script');
  });

  it('a code typed in lower case without its dash is accepted; after sign-in the person allows once and the polling client gets tokens', async () => {
    const tv = await deviceClient(server);
    const userId = await server.createUser({ email: 'device.allow@example.com' });
    const device = await client.initiateDeviceAuthorization(tv.config, { scope: 'openid email' });
    const browser = new PageClient(server.issuer);

    const entered = await enterCode(browser, device.user_code.replace(/-/g, '').toLowerCase());
    expect(entered.status).toBe(303);
    const login = await browser.followFrom(entered, isInteraction);
    expect(isInteraction(login.url)).toBe(true);

    // Sign-in hands over to the one decision: the consent page, with the device's code to compare.
    const consent = await browser.follow(await signInOnly(server, login.url, userId));
    expect(consent.url.pathname).toMatch(/^\/interaction\//);
    const page = await consent.response!.text();
    expect(page).toContain('Connect this device?');
    expect(page).toContain(tv.name);
    expect(page).toContain('See your email address');
    expect(page).toContain(device.user_code);
    const allowed = await browser.post(`${consent.url.pathname}/consent`, { csrf: inputValue(page, 'csrf'), decision: 'allow' });
    const done = await browser.followFrom(allowed);
    expect(done.url.pathname).toMatch(/^\/device\//);
    expect(done.response?.status).toBe(200);
    const success = await done.response!.text();
    expect(success).toContain('Device connected');
    expect(success).toContain(tv.name);

    const tokens = await client.pollDeviceAuthorizationGrant(tv.config, device);
    expect(tokens.claims()?.sub).toBe(userId);
    const info = await client.fetchUserInfo(tv.config, tokens.access_token, userId);
    expect(info.email).toBe('device.allow@example.com');
  });

  it('asks even when the browser already consented for the client (no silent device approval)', async () => {
    const tv = await deviceClient(server);
    const userId = await server.createUser();
    const browser = new PageClient(server.issuer);
    const first = await client.initiateDeviceAuthorization(tv.config, { scope: 'openid' });
    const login = await browser.followFrom(await enterCode(browser, first.user_code), isInteraction);
    const consent = await browser.follow(await signInOnly(server, login.url, userId));
    const page = await consent.response!.text();
    await browser.followFrom(await browser.post(`${consent.url.pathname}/consent`, { csrf: inputValue(page, 'csrf'), decision: 'allow' }));

    // Signed in, same client, same scopes: no sign-in again, but the decision is asked again.
    const second = await client.initiateDeviceAuthorization(tv.config, { scope: 'openid' });
    const next = await browser.followFrom(await enterCode(browser, second.user_code));
    expect(next.response?.status).toBe(200);
    const again = await next.response!.text();
    expect(again).toContain('Connect this device?');
    expect(again).toContain(second.user_code);
  });

  it('a first-party device client still gets the Allow / Deny page', async () => {
    const tv = await deviceClient(server, { first_party: true });
    const device = await client.initiateDeviceAuthorization(tv.config, { scope: 'openid' });
    const browser = new PageClient(server.issuer);
    const login = await browser.followFrom(await enterCode(browser, device.user_code), isInteraction);
    const consent = await browser.follow(await signInOnly(server, login.url, await server.createUser()));
    expect(await consent.response!.text()).toContain('Connect this device?');
  });

  it('Deny ends the polling with access_denied and tells the person', async () => {
    const tv = await deviceClient(server);
    const device = await client.initiateDeviceAuthorization(tv.config, { scope: 'openid' });
    const browser = new PageClient(server.issuer);
    const login = await browser.followFrom(await enterCode(browser, device.user_code), isInteraction);
    const consent = await browser.follow(await signInOnly(server, login.url, await server.createUser()));
    const page = await consent.response!.text();
    const denied = await browser.followFrom(await browser.post(`${consent.url.pathname}/consent`, { csrf: inputValue(page, 'csrf'), decision: 'deny' }));
    expect(denied.response?.status).toBe(200);
    expect(await denied.response!.text()).toContain('Access was denied');

    const response = await tokenRequest(server, tv.client_id, device.device_code);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'access_denied' });
  });

  it('a link with the code (verification_uri_complete) first shows the code to compare; Cancel denies', async () => {
    const tv = await deviceClient(server);
    const device = await client.initiateDeviceAuthorization(tv.config, { scope: 'openid' });
    const browser = new PageClient(server.issuer);
    // oidc-provider turns the link into a POST without `confirm` (its auto-submitting form).
    const link = await (await browser.get(device.verification_uri_complete!)).text();
    const check = await browser.post('/device', { xsrf: inputValue(link, 'xsrf'), user_code: inputValue(link, 'user_code') });
    expect(check.status).toBe(200);
    const page = await check.text();
    expect(page).toContain(tv.name);
    expect(page).toContain(device.user_code);
    expect(page).toMatch(/<button[^>]*name="confirm"[^>]*>Continue<\/button>/);
    const cancelled = await browser.post('/device', { xsrf: inputValue(page, 'xsrf'), user_code: inputValue(page, 'user_code'), abort: 'yes' });
    expect(await cancelled.text()).toContain('Access was denied');
    expect(await (await tokenRequest(server, tv.client_id, device.device_code)).json()).toMatchObject({ error: 'access_denied' });
  });

  it('a wrong code re-renders the form with the error next to the field, never a 500', async () => {
    const browser = new PageClient(server.issuer);
    const response = await enterCode(browser, 'BCDF-GHJK');
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('role="alert"');
    expect(page).toMatch(/id="user_code-error">That code was not recognised/);
    expect(page).toContain('aria-invalid="true"');
    expect(page).toContain('value="BCDF-GHJK"');
    // The re-rendered form carries a fresh xsrf token and works.
    expect(inputValue(page, 'xsrf')).toMatch(/^[0-9a-f]{48}$/);

    const empty = await enterCode(browser, '');
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Enter the code shown on your device');
  });

  it('a POST without the xsrf token is refused with our page, not processed', async () => {
    const tv = await deviceClient(server);
    const device = await client.initiateDeviceAuthorization(tv.config, { scope: 'openid' });
    const browser = new PageClient(server.issuer);
    await (await browser.get('/device')).text();
    const forged = await browser.post('/device', { user_code: device.user_code, confirm: 'yes' });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('This form has expired');
    expect(await (await tokenRequest(server, tv.client_id, device.device_code)).json()).toMatchObject({ error: 'authorization_pending' });
  });
});

describe.each(backends)('device code entry rate limit (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server?.stop());

  it(`answers 429 with Retry-After after ${DEVICE_CODE_ATTEMPTS} wrong codes, even for a right code and a spoofed X-Forwarded-For`, async () => {
    const tv = await deviceClient(server);
    const device = await client.initiateDeviceAuthorization(tv.config, { scope: 'openid' });
    const browser = new PageClient(server.issuer);
    for (let i = 0; i < DEVICE_CODE_ATTEMPTS; i += 1) {
      browser.headers = { 'x-forwarded-for': `203.0.113.${i}` };
      expect((await enterCode(browser, 'BCDF-GHJK')).status).toBe(400);
    }
    browser.headers = { 'x-forwarded-for': '198.51.100.7' };
    const limited = await enterCode(browser, device.user_code);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('Too many attempts');
    // Nothing reached oidc-provider: the code is still pending.
    expect(await (await tokenRequest(server, tv.client_id, device.device_code)).json()).toMatchObject({ error: 'authorization_pending' });
  });
});
