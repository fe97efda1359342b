import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithCode } from './support/code-flow.ts';
import { startTestServer, type TestServer } from './support/server.ts';

describe('introspection (RFC 7662) and revocation (RFC 7009)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  const signIn = () => signInWithCode(server);

  it('reports a live access token as active with its subject, client and scope', async () => {
    const { config, tokens, userId, client_id } = await signIn();
    const info = await client.tokenIntrospection(config, tokens.access_token);
    expect(info).toMatchObject({ active: true, sub: userId, client_id, iss: server.issuer });
    expect(String(info.scope).split(' ')).toEqual(expect.arrayContaining(['openid', 'offline_access']));
  });

  it('reports garbage as inactive, not as an error', async () => {
    const { config } = await signIn();
    expect(await client.tokenIntrospection(config, 'not-a-token')).toEqual({ active: false });
  });

  it('revoking the refresh token makes it unusable and inactive', async () => {
    const { config, tokens } = await signIn();
    await client.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(false);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('revoking an access token makes it inactive', async () => {
    const { config, tokens } = await signIn();
    await client.tokenRevocation(config, tokens.access_token);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  it('another client cannot introspect or revoke the token', async () => {
    const { tokens } = await signIn();
    const other = await server.createClient();
    const otherConfig = await client.discovery(new URL(server.issuer), other.client_id, { client_secret: other.client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    expect((await client.tokenIntrospection(otherConfig, tokens.access_token)).active).toBe(false);
  });
});
