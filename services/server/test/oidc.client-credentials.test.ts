import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

describe('client credentials', () => {
  let server: TestServer;
  const api = 'https://api.example.com';
  beforeAll(async () => {
    server = await startTestServer();
    await server.createResource(api, ['read:things', 'write:things'], 300);
  });
  afterAll(() => server?.stop());

  const discover = (client_id: string, client_secret: string) =>
    client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });

  it('issues an opaque token that introspects as active for its client', async () => {
    const { client_id, client_secret } = await server.createClient();
    const config = await discover(client_id, client_secret!);
    const tokens = await client.clientCredentialsGrant(config);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.access_token.split('.')).toHaveLength(1);
    const info = await client.tokenIntrospection(config, tokens.access_token);
    expect(info).toMatchObject({ active: true, client_id, token_type: 'Bearer' });
  });

  it('issues an RFC 9068 JWT for a registered API, verifiable with the published JWKS', async () => {
    const { client_id, client_secret } = await server.createClient({ scope: 'read:things' });
    const config = await discover(client_id, client_secret!);
    const tokens = await client.clientCredentialsGrant(config, { resource: api, scope: 'read:things' });
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${server.issuer}/jwks`)), {
      issuer: server.issuer,
      audience: api,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ client_id, scope: 'read:things' });
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('refuses an unregistered resource with invalid_target', async () => {
    const { client_id, client_secret } = await server.createClient();
    const config = await discover(client_id, client_secret!);
    await expect(client.clientCredentialsGrant(config, { resource: 'https://unknown.example.com' })).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('refuses a wrong client secret with invalid_client', async () => {
    const { client_id } = await server.createClient();
    const config = await discover(client_id, 'not-the-secret');
    await expect(client.clientCredentialsGrant(config)).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('refuses the stored hash used as the secret', async () => {
    const { client_id, client_secret } = await server.createClient();
    const config = await discover(client_id, server.keyring.hash('client-secret', client_secret!));
    await expect(client.clientCredentialsGrant(config)).rejects.toMatchObject({ error: 'invalid_client' });
  });
});

describe('API scopes are limited to what the operator allowed the client', () => {
  let server: TestServer;
  const api = 'https://api.limits.example.com';
  beforeAll(async () => {
    server = await startTestServer();
    await server.createResource(api, ['read:things', 'write:things'], 300);
  });
  afterAll(() => server?.stop());

  it('a client allowed read:things cannot get write:things', async () => {
    const { client_id, client_secret } = await server.createClient({ scope: 'openid read:things' });
    const config = await client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    const tokens = await client.clientCredentialsGrant(config, { resource: api, scope: 'read:things write:things' });
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${server.issuer}/jwks`)), { audience: api });
    expect(payload.scope).toBe('read:things');
  });

  it('a client with no API scopes gets none', async () => {
    const { client_id, client_secret } = await server.createClient({ scope: 'openid' });
    const config = await client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    const tokens = await client.clientCredentialsGrant(config, { resource: api, scope: 'write:things' });
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${server.issuer}/jwks`)), { audience: api });
    expect(payload.scope).toBeUndefined();
  });
});
