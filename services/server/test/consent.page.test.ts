import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertScope } from '../src/db/scopes.ts';
import { inputValue, isInteraction, PageClient, signInOnly } from './support/hosted-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('consent page (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
    // An operator's wording wins over ours; `email` keeps our fallback.
    await upsertScope(server.db.knex, 'profile', 'Read your public profile card');
    await upsertScope(server.db.knex, 'read:docs', 'Read your documents');
    await server.createResource('https://docs.example.com/api', ['read:docs']);
    await server.db.knex('api_resources').where({ identifier: 'https://docs.example.com/api' }).update({ name: 'Docs API' });
  });
  afterAll(() => server?.stop());

  type App = Awaited<ReturnType<typeof app>>;
  async function app(fields: Parameters<TestServer['createClient']>[0] = {}) {
    const created = await server.createClient({ name: `Acme Notes ${Math.random().toString(36).slice(2, 8)}`, ...fields });
    const config = await client.discovery(new URL(server.issuer), created.client_id, { client_secret: created.client_secret }, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const name = (await server.db.knex('clients').where({ id: created.client_id }).first()).name as string;
    return { ...created, config, name };
  }

  async function request(rp: App, params: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(rp.config, {
      redirect_uri: rp.redirect_uri,
      scope: 'openid profile email',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...params,
    });
    return { url, verifier, state };
  }

  const isCallback = (rp: App) => (url: URL) => url.href.startsWith(rp.redirect_uri);

  /** Signs in at the login prompt and returns the consent page (or the callback, when consent is skipped). */
  async function toConsent(browser: PageClient, rp: App, url: URL, userId: string) {
    const login = await browser.follow(url, (u) => isInteraction(u) || isCallback(rp)(u));
    expect(isInteraction(login.url)).toBe(true);
    const resume = await signInOnly(server, login.url, userId);
    const next = await browser.follow(resume, isCallback(rp));
    return next;
  }

  it('shows the client name and each scope description, and Allow returns a code that redeems', async () => {
    const rp = await app();
    const userId = await server.createUser({ email: 'ada.consent@example.com' });
    const browser = new PageClient(server.issuer);
    const auth = await request(rp);
    const consent = await toConsent(browser, rp, auth.url, userId);
    expect(consent.response?.status).toBe(200);
    expect(consent.response?.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const page = await consent.response!.text();
    expect(page).toContain(rp.name);
    expect(page).toContain('Read your public profile card');
    expect(page).toContain('See your email address');
    expect(page).toContain('Know who you are when you sign in');
    expect(page).toContain('ada.consent@example.com');
    expect(page).toMatch(/<button[^>]*value="allow"[^>]*>Allow<\/button>/);
    expect(page).toMatch(/<button[^>]*value="deny"[^>]*>Deny<\/button>/);

    const allowed = await browser.post(`${consent.url.pathname}/consent`, { csrf: inputValue(page, 'csrf'), decision: 'allow' });
    expect(allowed.status).toBe(303);
    const callback = await browser.followFrom(allowed, isCallback(rp));
    expect(callback.url.searchParams.get('code')).toBeTruthy();
    const tokens = await client.authorizationCodeGrant(rp.config, callback.url, { pkceCodeVerifier: auth.verifier, expectedState: auth.state });
    expect(tokens.claims()?.sub).toBe(userId);
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
  });

  it('Deny sends access_denied back to the client, with no code', async () => {
    const rp = await app();
    const browser = new PageClient(server.issuer);
    const auth = await request(rp);
    const consent = await toConsent(browser, rp, auth.url, await server.createUser());
    const page = await consent.response!.text();
    const denied = await browser.post(`${consent.url.pathname}/consent`, { csrf: inputValue(page, 'csrf'), decision: 'deny' });
    const callback = await browser.followFrom(denied, isCallback(rp));
    expect(callback.url.searchParams.get('error')).toBe('access_denied');
    expect(callback.url.searchParams.get('state')).toBe(auth.state);
    expect(callback.url.searchParams.has('code')).toBe(false);
  });

  it('refuses a decision without the CSRF token', async () => {
    const rp = await app();
    const browser = new PageClient(server.issuer);
    const consent = await toConsent(browser, rp, (await request(rp)).url, await server.createUser());
    await consent.response!.text();
    const forged = await browser.post(`${consent.url.pathname}/consent`, { decision: 'allow' });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('location')).toBeNull();
  });

  it('remembers the grant: the same scopes again go straight back; a new scope asks only for that one', async () => {
    const rp = await app();
    const browser = new PageClient(server.issuer);
    const first = await toConsent(browser, rp, (await request(rp)).url, await server.createUser());
    const page = await first.response!.text();
    await browser.followFrom(await browser.post(`${first.url.pathname}/consent`, { csrf: inputValue(page, 'csrf'), decision: 'allow' }), isCallback(rp));

    const again = await request(rp);
    const second = await browser.follow(again.url, (u) => isCallback(rp)(u) || isInteraction(u));
    expect(isCallback(rp)(second.url)).toBe(true);
    const tokens = await client.authorizationCodeGrant(rp.config, second.url, { pkceCodeVerifier: again.verifier, expectedState: again.state });
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);

    const more = await browser.follow((await request(rp, { scope: 'openid profile email phone' })).url, isCallback(rp));
    expect(more.response?.status).toBe(200);
    const morePage = await more.response!.text();
    expect(morePage).toContain('See your phone number');
    expect(morePage).not.toContain('See your email address');
  });

  it('lists an API by name with its scope descriptions, and Allow grants a token for it', async () => {
    const rp = await app({ scope: 'openid profile email read:docs' });
    const browser = new PageClient(server.issuer);
    const auth = await request(rp, { scope: 'openid read:docs', resource: 'https://docs.example.com/api' });
    const consent = await toConsent(browser, rp, auth.url, await server.createUser());
    const page = await consent.response!.text();
    expect(page).toContain('Use Docs API on your behalf');
    expect(page).toContain('Read your documents');
    const callback = await browser.followFrom(
      await browser.post(`${consent.url.pathname}/consent`, { csrf: inputValue(page, 'csrf'), decision: 'allow' }),
      isCallback(rp),
    );
    const tokens = await client.authorizationCodeGrant(
      rp.config,
      callback.url,
      { pkceCodeVerifier: auth.verifier, expectedState: auth.state },
      { resource: 'https://docs.example.com/api' },
    );
    const payload = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    expect(payload.aud).toBe('https://docs.example.com/api');
    expect(payload.scope).toBe('read:docs');
  });

  it('names the built-in API (<issuer>/api) like any other API, not by its identifier', async () => {
    const rp = await app({ scope: 'openid users:read' });
    const browser = new PageClient(server.issuer);
    const api = `${server.issuer}/api`;
    const consent = await toConsent(browser, rp, (await request(rp, { scope: 'openid users:read', resource: api })).url, await server.createUser());
    const page = await consent.response!.text();
    expect(page).toContain('Use Latchkey API on your behalf');
    expect(page).not.toContain(`Use ${api} on your behalf`);
    expect(page).toContain('Read user accounts');
  });

  it('escapes what clients and operators control', async () => {
    await upsertScope(server.db.knex, 'email', '<img src=x onerror=alert(1)>');
    try {
      const rp = await app({ name: '<script>alert("x")</script>' });
      const browser = new PageClient(server.issuer);
      const consent = await toConsent(browser, rp, (await request(rp)).url, await server.createUser());
      const page = await consent.response!.text();
      expect(page).not.toContain('<script>alert');
      expect(page).not.toContain('<img src=x');
      expect(page).toContain('&#60;script&#62;');
    } finally {
      await server.db.knex('scopes').where({ name: 'email' }).delete();
    }
  });

  it('a first-party client skips consent and still gets every requested scope', async () => {
    const rp = await app({ first_party: true });
    const userId = await server.createUser();
    const browser = new PageClient(server.issuer);
    const auth = await request(rp);
    const login = await browser.follow(auth.url, (u) => isInteraction(u) || isCallback(rp)(u));
    const resume = await signInOnly(server, login.url, userId);
    const callback = await browser.follow(resume, (u) => isCallback(rp)(u) || isInteraction(u));
    expect(isCallback(rp)(callback.url)).toBe(true);
    const tokens = await client.authorizationCodeGrant(rp.config, callback.url, { pkceCodeVerifier: auth.verifier, expectedState: auth.state });
    expect(tokens.claims()?.sub).toBe(userId);
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
  });
});
