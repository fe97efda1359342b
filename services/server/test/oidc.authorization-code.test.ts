import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from './support/browser.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('authorization code + PKCE (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  });
  afterAll(() => server?.stop());

  it('signs a user in end to end; the ID token signature verifies against the JWKS', async () => {
    const { client_id, client_secret, redirect_uri } = await server.createClient();
    const userId = await server.createUser({ email: 'ada@example.com', first_name: 'Ada', last_name: 'Lovelace' });
    const issuer = new URL(server.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }));
    const rp: oauth.Client = { client_id };
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id, redirect_uri, response_type: 'code', scope: 'openid email profile', state, nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }).toString();

    const callback = await authorize(url, userId, redirect_uri);
    expect(callback.searchParams.get('iss')).toBe(server.issuer); // RFC 9207
    const params = oauth.validateAuthResponse(as, rp, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as, rp, oauth.ClientSecretBasic(client_secret!), params, redirect_uri, verifier, { [oauth.allowInsecureRequests]: true },
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, rp, response, { expectedNonce: nonce, requireIdToken: true });
    // Checks the ID token's signature against the JWKS (processing alone does not).
    await oauth.validateApplicationLevelSignature(as, response, { [oauth.allowInsecureRequests]: true });
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(claims.sub).toBe(userId);
    expect(claims.iss).toBe(server.issuer);

    const info = await oauth.processUserInfoResponse(
      as, rp, userId, await oauth.userInfoRequest(as, rp, tokens.access_token, { [oauth.allowInsecureRequests]: true }),
    );
    expect(info).toMatchObject({ sub: userId, email: 'ada@example.com', email_verified: true, name: 'Ada Lovelace' });
  });

  it('rejects an authorization request without PKCE, even from a confidential client', async () => {
    const { client_id, redirect_uri } = await server.createClient();
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({ client_id, redirect_uri, response_type: 'code', scope: 'openid', state: 'xyz' }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('rejects the plain PKCE method', async () => {
    const { client_id, redirect_uri } = await server.createClient();
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id, redirect_uri, response_type: 'code', scope: 'openid', code_challenge: 'a'.repeat(43), code_challenge_method: 'plain',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('a code is good once: the second redemption fails and revokes what the first issued', async () => {
    const { client_id, client_secret, redirect_uri } = await server.createClient();
    const userId = await server.createUser();
    const config = await client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri, scope: 'openid offline_access', prompt: 'consent',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 's1',
    });
    const callback = await authorize(url, userId, redirect_uri);
    const first = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 's1' });
    await expect(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 's1' })).rejects.toMatchObject({ error: 'invalid_grant' });
    const introspection = await client.tokenIntrospection(config, first.access_token);
    expect(introspection.active).toBe(false);
  });
});
