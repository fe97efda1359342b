import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputValue, isInteraction, PageClient, signInOnly } from './support/hosted-flow.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * A public SPA client registered with the refresh_token grant and
 * `offline_access` in its scope gets a refresh token when it asks for
 * `offline_access`, without `prompt=consent` (oidc-provider's default drops
 * the scope then, so an SPA never got one). The consent page still asks once.
 */
describe('offline_access without prompt=consent', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  async function spa(fields: Parameters<TestServer['createClient']>[0] = {}) {
    const created = await server.createClient({ public: true, ...fields });
    const config = await client.discovery(new URL(server.issuer), created.client_id, { token_endpoint_auth_method: 'none' }, client.None(), {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    });
    return { ...created, config };
  }
  type Spa = Awaited<ReturnType<typeof spa>>;

  async function request(app: Spa, scope = 'openid profile offline_access') {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const params = { redirect_uri: app.redirect_uri, scope, state, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
    return { params, verifier, state };
  }

  const exchange = (app: Spa, callback: URL, auth: { verifier: string; state: string }) =>
    client.authorizationCodeGrant(app.config, callback, { pkceCodeVerifier: auth.verifier, expectedState: auth.state });

  /** Signs the user in (login prompt in process), answers the real consent page with Allow, returns the callback. */
  async function signInWithConsent(browser: PageClient, app: Spa, url: URL, userId: string) {
    const isCallback = (u: URL) => u.href.startsWith(app.redirect_uri);
    const login = await browser.follow(url, (u) => isInteraction(u) || isCallback(u));
    expect(isInteraction(login.url)).toBe(true);
    const consent = await browser.follow(await signInOnly(server, login.url, userId), isCallback);
    expect(consent.response?.status).toBe(200);
    const page = await consent.response!.text();
    const allowed = await browser.post(`${consent.url.pathname}/consent`, { csrf: inputValue(page, 'csrf'), decision: 'allow' });
    return { page, callback: (await browser.followFrom(allowed, isCallback)).url };
  }

  it('a public client gets a refresh token on consent, refreshes with it, and again on the next sign-in without a consent page', async () => {
    const app = await spa();
    const userId = await server.createUser();
    const browser = new PageClient(server.issuer);

    const first = await request(app);
    const { page, callback } = await signInWithConsent(browser, app, client.buildAuthorizationUrl(app.config, first.params), userId);
    // The person is told, once, that the app keeps access.
    expect(page).toContain('Keep this access when you are not using it');
    const tokens = await exchange(app, callback, first);
    expect(tokens.scope?.split(' ')).toContain('offline_access');
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await client.refreshTokenGrant(app.config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);

    // Same browser session: the remembered grant covers offline_access, no consent page, a refresh token again.
    const second = await request(app);
    const { url } = await browser.follow(client.buildAuthorizationUrl(app.config, second.params), (u) => u.href.startsWith(app.redirect_uri));
    const again = await exchange(app, url, second);
    expect(again.refresh_token).toBeTruthy();
  });

  it('works the same through a pushed authorization request (PAR)', async () => {
    const app = await spa();
    const userId = await server.createUser();
    const auth = await request(app);
    const url = await client.buildAuthorizationUrlWithPAR(app.config, auth.params);
    const { callback } = await signInWithConsent(new PageClient(server.issuer), app, url, userId);
    const tokens = await exchange(app, callback, auth);
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('only for clients allowed offline_access: without it in their scope, or without the refresh_token grant, none', async () => {
    const allowed = await spa();
    const noScope = await spa({ scope: 'openid profile' });
    const noGrant = await spa({ grant_types: ['authorization_code'] });
    const userId = await server.createUser();
    const results: Record<string, string | undefined> = {};
    for (const [name, app] of Object.entries({ allowed, noScope, noGrant })) {
      const auth = await request(app);
      const { callback } = await signInWithConsent(new PageClient(server.issuer), app, client.buildAuthorizationUrl(app.config, auth.params), userId);
      const tokens = await exchange(app, callback, auth);
      results[name] = tokens.refresh_token;
      if (name !== 'allowed') expect(tokens.scope?.split(' ')).not.toContain('offline_access');
    }
    expect(results.allowed).toBeTruthy();
    expect(results.noScope).toBeUndefined();
    expect(results.noGrant).toBeUndefined();
  });
});
