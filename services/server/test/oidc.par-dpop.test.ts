import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from './support/browser.ts';
import { startTestServer, type TestServer } from './support/server.ts';

describe('pushed authorization requests (RFC 9126) and DPoP (RFC 9449)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('a pushed request yields a request_uri the authorization endpoint accepts once', async () => {
    const { client_id, client_secret, redirect_uri } = await server.createClient();
    const userId = await server.createUser();
    const config = await client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri, scope: 'openid', state: 'par', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(url.searchParams.has('redirect_uri')).toBe(false);
    const callback = await authorize(url, userId, redirect_uri);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'par' });
    expect(tokens.claims()?.sub).toBe(userId);
    // The request_uri was consumed.
    const replay = await fetch(url, { redirect: 'manual' });
    expect([302, 303, 400]).toContain(replay.status);
    const location = replay.headers.get('location');
    if (location) expect(new URL(location).searchParams.get('error')).toBe('invalid_request_uri');
  });

  it('binds an access token to a DPoP key, and the binding shows in introspection', async () => {
    const { client_id, client_secret } = await server.createClient();
    const config = await client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const tokens = await client.clientCredentialsGrant(config, {}, { DPoP: client.getDPoPHandle(config, keyPair) });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    const info = await client.tokenIntrospection(config, tokens.access_token);
    expect(info.active).toBe(true);
    expect((info.cnf as { jkt?: string } | undefined)?.jkt).toBeTypeOf('string');
    expect(info.token_type).toBe('DPoP');
  });

  it('rejects a malformed DPoP proof', async () => {
    const { client_id, client_secret } = await server.createClient();
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
        dpop: 'not.a.proof',
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_dpop_proof' });
  });
});
