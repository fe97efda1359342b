import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputValue, isInteraction, PageClient, signInOnly } from './support/hosted-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];
const LOGGED_OUT = 'http://127.0.0.1:9999/logged-out';

describe.each(backends)('RP-initiated logout (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server?.stop());

  /** A browser signed in to a (first-party, so no consent page) client, and the ID token that client got. */
  async function signedIn() {
    const created = await server.createClient({ first_party: true, name: `Acme Mail ${Math.random().toString(36).slice(2, 8)}` });
    const config = await client.discovery(new URL(server.issuer), created.client_id, { client_secret: created.client_secret }, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const isCallback = (url: URL) => url.href.startsWith(created.redirect_uri);
    const browser = new PageClient(server.issuer);
    const authorize = async () => {
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: created.redirect_uri,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      return { url, verifier };
    };
    const first = await authorize();
    const login = await browser.follow(first.url, (u) => isInteraction(u) || isCallback(u));
    const callback = await browser.follow(await signInOnly(server, login.url, await server.createUser()), isCallback);
    const tokens = await client.authorizationCodeGrant(config, callback.url, { pkceCodeVerifier: first.verifier });
    /** Where a fresh authorization request lands: the client's callback (still signed in) or a sign-in page. */
    const nextAuthorization = async () => (await browser.follow((await authorize()).url, (u) => isInteraction(u) || isCallback(u))).url;
    return { browser, clientId: created.client_id, idToken: tokens.id_token!, nextAuthorization, isCallback };
  }

  const endSession = (params: Record<string, string>) => `/session/end?${new URLSearchParams(params)}`;

  it('asks for confirmation on our page with a POST form carrying the xsrf token', async () => {
    const { browser, idToken } = await signedIn();
    const response = await browser.get(endSession({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const page = await response.text();
    expect(page).toContain('<h1>Sign out?</h1>');
    expect(page).toMatch(/<form method="post" action="[^"]*\/session\/end\/confirm">/);
    expect(inputValue(page, 'xsrf')).toMatch(/^[0-9a-f]{48}$/);
    expect(page).toMatch(/<button[^>]*name="logout" value="yes"[^>]*>Sign out<\/button>/);
    expect(page).toMatch(/<button[^>]*>Stay signed in<\/button>/);
    expect(page).not.toContain('<script');
  });

  it('a POST without the right xsrf token signs nobody out', async () => {
    const { browser, idToken, nextAuthorization, isCallback } = await signedIn();
    const page = await (await browser.get(endSession({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT }))).text();
    expect(inputValue(page, 'xsrf')).toBeTruthy();
    const missing = await browser.post('/session/end/confirm', { logout: 'yes' });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('location')).toBeNull();
    const wrong = await browser.post('/session/end/confirm', { logout: 'yes', xsrf: 'f'.repeat(48) });
    expect(wrong.status).toBe(400);
    expect(isCallback(await nextAuthorization())).toBe(true);
  });

  it('Sign out ends the session and returns to the registered post-logout URI with state', async () => {
    const { browser, idToken, nextAuthorization } = await signedIn();
    const page = await (await browser.get(endSession({ id_token_hint: idToken, post_logout_redirect_uri: LOGGED_OUT, state: 'bye-123' }))).text();
    const done = await browser.post('/session/end/confirm', { xsrf: inputValue(page, 'xsrf'), logout: 'yes' });
    expect(done.status).toBe(303);
    const location = new URL(done.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(LOGGED_OUT);
    expect(location.searchParams.get('state')).toBe('bye-123');
    expect(isInteraction(await nextAuthorization())).toBe(true);
  });

  it('Stay signed in keeps the Latchkey session', async () => {
    const { browser, clientId, nextAuthorization, isCallback } = await signedIn();
    const page = await (await browser.get(endSession({ client_id: clientId, post_logout_redirect_uri: LOGGED_OUT }))).text();
    const stayed = await browser.post('/session/end/confirm', { xsrf: inputValue(page, 'xsrf') });
    expect(stayed.status).toBe(303);
    expect(stayed.headers.get('location')!.startsWith(LOGGED_OUT)).toBe(true);
    // First-party, so no consent is needed again: the session alone brings the browser back.
    expect(isCallback(await nextAuthorization())).toBe(true);
  });

  it('refuses a post-logout URI the client did not register, without redirecting', async () => {
    const { browser, clientId, idToken, nextAuthorization, isCallback } = await signedIn();
    const attempts: Array<Record<string, string>> = [
      { id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example/logged-out' },
      { client_id: clientId, post_logout_redirect_uri: `${LOGGED_OUT}/../evil` },
    ];
    for (const params of attempts) {
      const response = await browser.get(endSession(params));
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      const page = await response.text();
      expect(page).toContain('post_logout_redirect_uri not registered');
      expect(page).not.toContain('name="logout"');
    }
    expect(isCallback(await nextAuthorization())).toBe(true);
  });

  it('without a client, never follows a post-logout URI and ends on our signed-out page', async () => {
    const { browser, nextAuthorization } = await signedIn();
    const page = await (await browser.get(endSession({ post_logout_redirect_uri: 'https://evil.example/' }))).text();
    const done = await browser.post('/session/end/confirm', { xsrf: inputValue(page, 'xsrf'), logout: 'yes' });
    expect(done.status).toBe(303);
    const landed = await browser.followFrom(done);
    expect(landed.url.pathname).toBe('/session/end/success');
    expect(landed.response?.status).toBe(200);
    const signedOut = await landed.response!.text();
    expect(signedOut).toContain('<h1>Signed out</h1>');
    expect(signedOut).toContain('You have signed out of Latchkey');
    expect(isInteraction(await nextAuthorization())).toBe(true);
  });
});
