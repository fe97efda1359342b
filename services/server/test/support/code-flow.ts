import * as client from 'openid-client';
import { authorize } from './browser.ts';
import type { TestServer } from './server.ts';

/** A new confidential client and user, signed in through the code + PKCE flow with offline access. */
export async function signInWithCode(server: TestServer, options: { scope?: string } = {}) {
  const { client_id, client_secret, redirect_uri } = await server.createClient();
  const userId = await server.createUser();
  const config = await client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri, scope: options.scope ?? 'openid offline_access', prompt: 'consent', state: 'st',
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const tokens = await client.authorizationCodeGrant(config, await authorize(url, userId, redirect_uri), { pkceCodeVerifier: verifier, expectedState: 'st' });
  return { config, tokens, userId, client_id };
}
