import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from './support/browser.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * ID tokens from the code flow carry the claims their scopes grant, as most
 * providers' do (oidc-provider's default keeps them to userinfo only), and
 * userinfo answers the same; scopes not granted release nothing.
 */
describe('ID token and userinfo claims by scope', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  async function signIn(scope: string) {
    const created = await server.createClient({ public: true });
    const config = await client.discovery(new URL(server.issuer), created.client_id, { token_endpoint_auth_method: 'none' }, client.None(), {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
    });
    const userId = await server.createUser({ email: `grace-${Math.random().toString(36).slice(2, 8)}@example.com`, first_name: 'Grace', last_name: 'Hopper', phone: '+15550100' });
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: created.redirect_uri, scope, nonce, state: 'st',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const tokens = await client.authorizationCodeGrant(config, await authorize(url, userId, created.redirect_uri), {
      pkceCodeVerifier: verifier, expectedState: 'st', expectedNonce: nonce, idTokenExpected: true,
    });
    const user = await server.db.knex('users').where({ id: userId }).first();
    return { config, tokens, userId, email: user.email as string };
  }

  it('openid profile email: the ID token has the profile and email claims, and userinfo the same', async () => {
    const { config, tokens, userId, email } = await signIn('openid profile email');
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: userId, email, email_verified: true, name: 'Grace Hopper', given_name: 'Grace', family_name: 'Hopper' });
    expect(typeof claims.updated_at).toBe('number');
    expect(claims).not.toHaveProperty('phone_number');
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, userId);
    expect(userinfo).toMatchObject({ sub: userId, email, email_verified: true, name: 'Grace Hopper', given_name: 'Grace', family_name: 'Hopper' });
    expect(userinfo).not.toHaveProperty('phone_number');
  });

  it('openid email: only the email claims, no profile', async () => {
    const { tokens, email } = await signIn('openid email');
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ email, email_verified: true });
    expect(claims).not.toHaveProperty('name');
    expect(claims).not.toHaveProperty('given_name');
  });
});
