import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { TestServer } from './server.ts';
import { SessionBrowser, signInAt, silentSignIn } from './session-flow.ts';

export type SignedInAccount = {
  userId: string;
  email: string;
  client: { client_id: string; client_secret?: string; redirect_uri: string };
  /** Holds the browser session cookie. */
  browser: SessionBrowser;
  /** openid-client aimed at `tokenBase` (token, introspection, userinfo). */
  config: client.Configuration;
  tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  /** prompt=none at `base`: 'code' while the session works, else the error. */
  silent: (base: string) => Promise<string>;
};

/** Protocol endpoints of one server (a replica), all under the deployment's issuer. */
export function configAt(pages: TestServer, base: string, created: { client_id: string; client_secret?: string }): client.Configuration {
  const config = new client.Configuration(
    {
      issuer: pages.issuer,
      token_endpoint: `${base}/token`,
      introspection_endpoint: `${base}/token/introspection`,
      userinfo_endpoint: `${base}/me`,
      jwks_uri: `${base}/jwks`,
    },
    created.client_id,
    created.client_secret,
  );
  client.allowInsecureRequests(config);
  return config;
}

/**
 * A person with an email address, signed in at `authBase` with a browser
 * session, and an app holding their offline tokens (code + PKCE exchanged
 * at `tokenBase`). The sign-in page is played by the test route of `pages`.
 */
export async function signInWithTokens(
  pages: TestServer,
  options: { authBase?: string; tokenBase?: string; userId?: string; email?: string; client?: SignedInAccount['client'] } = {},
): Promise<SignedInAccount> {
  const authBase = options.authBase ?? pages.url;
  const email = options.email ?? `person-${randomBytes(5).toString('hex')}@example.com`;
  const userId = options.userId ?? (await pages.createUser({ email }));
  const created = options.client ?? (await pages.createClient());
  const browser = new SessionBrowser({ 'user-agent': 'AccountFlow/1.0' });
  const verifier = client.randomPKCECodeVerifier();
  const state = randomBytes(6).toString('hex');
  const callback = await signInAt(browser, {
    authBase,
    pagesBase: pages.url,
    client: created,
    accountId: userId,
    extra: { scope: 'openid offline_access email', prompt: 'consent', state, code_challenge: await client.calculatePKCECodeChallenge(verifier) },
  });
  const config = configAt(pages, options.tokenBase ?? authBase, created);
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  return {
    userId,
    email,
    client: created,
    browser,
    config,
    tokens,
    silent: async (base) => {
      const answer = await silentSignIn(browser, base, created);
      return answer.searchParams.has('code') ? 'code' : (answer.searchParams.get('error') ?? 'nothing');
    },
  };
}
