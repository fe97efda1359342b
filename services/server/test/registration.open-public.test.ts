import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/env.ts';
import { authorize } from './support/browser.ts';
import { startTestServer, type TestServer } from './support/server.ts';

const publicClient = (overrides: Record<string, unknown> = {}) => ({
  client_name: 'Agent',
  redirect_uris: ['http://127.0.0.1:9999/callback'],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  ...overrides,
});

describe('LATCHKEY_REGISTRATION=open-public', () => {
  let server: TestServer;
  const token = randomBytes(32).toString('base64url');
  beforeAll(async () => {
    server = await startTestServer({
      env: { LATCHKEY_REGISTRATION: 'open-public', LATCHKEY_REGISTRATION_TOKEN: token, LATCHKEY_RATE_LIMITS: 'registration.ip=12/1h' },
    });
  });
  afterAll(() => server?.stop());

  const register = (body: Record<string, unknown>, bearer?: string) =>
    fetch(`${server.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });

  it('advertises the registration endpoint beside PKCE S256', async () => {
    const metadata = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata.registration_endpoint).toBe(`${server.issuer}/reg`);
    expect(metadata.code_challenge_methods_supported).toContain('S256');
  });

  it('anyone registers a public client: no secret, no registration access token, and it signs in with PKCE', async () => {
    const response = await register(publicClient());
    expect(response.status).toBe(201);
    const registered = (await response.json()) as Record<string, unknown>;
    expect(registered.token_endpoint_auth_method).toBe('none');
    expect(registered).not.toHaveProperty('client_secret');
    expect(registered).not.toHaveProperty('registration_access_token');

    const clientId = String(registered.client_id);
    const config = await client.discovery(new URL(server.issuer), clientId, undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const redirectUri = 'http://127.0.0.1:9999/callback';
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid', state: 'st',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const userId = await server.createUser();
    const tokens = await client.authorizationCodeGrant(config, await authorize(url, userId, redirectUri), { pkceCodeVerifier: verifier, expectedState: 'st' });
    expect(tokens.claims()?.sub).toBe(userId);

    // PKCE is not optional for it: a request without a code challenge is refused.
    const bare = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', state: 'st' });
    const refused = await fetch(bare, { redirect: 'manual' });
    expect(new URL(refused.headers.get('location')!).searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it.each([
    [{ token_endpoint_auth_method: 'client_secret_basic' }, /public clients.*initial access token/],
    [{ token_endpoint_auth_method: undefined }, /token_endpoint_auth_method must be "none"/],
    [{ grant_types: ['client_credentials'] }, /grant types/],
    [{ grant_types: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'] }, /grant types/],
    [{ redirect_uris: ['http://agent.example.com/cb'] }, /must use https/],
    [{ redirect_uris: ['com.example.agent:/cb'] }, /https .*loopback/],
  ])('refuses an open registration with %j', async (overrides, message) => {
    const response = await register(publicClient(overrides));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; error_description: string };
    expect(body.error).toMatch(/invalid_(redirect_uri|client_metadata)/);
    expect(body.error_description).toMatch(message);
  });

  it('a confidential client still registers with the initial access token, and may manage itself', async () => {
    const response = await register({ client_name: 'Backend', redirect_uris: ['https://rp.example.com/cb'], grant_types: ['authorization_code', 'client_credentials'] }, token);
    expect(response.status).toBe(201);
    const registered = (await response.json()) as { client_id: string; client_secret: string; registration_access_token?: string };
    expect(registered.client_secret).toBeTypeOf('string');
    expect(registered.registration_access_token).toBeTypeOf('string');
    const config = await client.discovery(new URL(server.issuer), registered.client_id, { client_secret: registered.client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    expect((await client.clientCredentialsGrant(config)).access_token).toBeTypeOf('string');
  });

  it('limits open registrations per IP (the operator token is not counted)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i += 1) statuses.push((await register(publicClient())).status);
    expect(statuses).toContain(429);
    const refused = await register(publicClient());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect((await register(publicClient(), token)).status).toBe(201);
  });
});

describe('LATCHKEY_REGISTRATION=initial-access-token refuses token-less public registrations', () => {
  let server: TestServer;
  const token = randomBytes(32).toString('base64url');
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_REGISTRATION: 'initial-access-token', LATCHKEY_REGISTRATION_TOKEN: token } });
  });
  afterAll(() => server?.stop());

  it('401 without the token, 201 with it', async () => {
    const send = (bearer?: string) =>
      fetch(`${server.issuer}/reg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        body: JSON.stringify(publicClient()),
      });
    expect((await send()).status).toBe(401);
    expect((await send(token)).status).toBe(201);
  });
});

describe('registration configuration', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ NODE_ENV: 'test', ...env });
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };
  const token = 'x'.repeat(40);

  it('keeps the old meaning of the token alone, and names each wrong combination', () => {
    expect(loadConfig({ NODE_ENV: 'test', LATCHKEY_REGISTRATION_TOKEN: token }).registration).toBe('initial-access-token');
    expect(loadConfig({ NODE_ENV: 'test' }).registration).toBe('off');
    expect(loadConfig({ NODE_ENV: 'test', LATCHKEY_REGISTRATION: 'open-public' }).registration).toBe('open-public');
    expect(problems({ LATCHKEY_REGISTRATION: 'open' })).toEqual([expect.stringMatching(/^LATCHKEY_REGISTRATION must be 'off', 'initial-access-token' or 'open-public'/)]);
    expect(problems({ LATCHKEY_REGISTRATION: 'initial-access-token' })).toEqual([expect.stringMatching(/^LATCHKEY_REGISTRATION_TOKEN is required/)]);
    expect(problems({ LATCHKEY_REGISTRATION: 'off', LATCHKEY_REGISTRATION_TOKEN: token })).toEqual([expect.stringMatching(/^LATCHKEY_REGISTRATION_TOKEN is set but/)]);
  });
});
