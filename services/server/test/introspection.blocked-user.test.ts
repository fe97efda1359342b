import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithCode } from './support/code-flow.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Attack: an account is blocked, deleted or locked, but its unexpired access
 * and refresh tokens still work (introspection said active: true). The
 * account is changed straight in the database here, with no revocation at
 * all, so what is proved is that introspection, userinfo and the token
 * endpoint check the account itself.
 */
describe('tokens of an account that may no longer be used', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it.each([
    ['blocked', { status: 'blocked' }],
    ['deleted', { status: 'deleted', deleted_at: new Date() }],
    ['locked by an operator', { locked_until: new Date(Date.now() + 3600_000) }],
  ])('a %s user\'s access and refresh tokens introspect as inactive, and userinfo and refresh refuse them', async (_label, fields) => {
    const { config, tokens, userId } = await signInWithCode(server, { scope: 'openid offline_access email' });
    // Live before the change.
    expect(await client.tokenIntrospection(config, tokens.access_token)).toMatchObject({ active: true, sub: userId });
    expect((await client.fetchUserInfo(config, tokens.access_token, userId)).sub).toBe(userId);

    await server.db.knex('users').where({ id: userId }).update(fields);

    expect(await client.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(config, tokens.refresh_token!)).toEqual({ active: false });
    await expect(client.fetchUserInfo(config, tokens.access_token, userId)).rejects.toMatchObject({ status: 401 });
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('an operator lock that has run out leaves the tokens working', async () => {
    const { config, tokens, userId } = await signInWithCode(server);
    await server.db.knex('users').where({ id: userId }).update({ locked_until: new Date(Date.now() - 1000) });
    expect(await client.tokenIntrospection(config, tokens.access_token)).toMatchObject({ active: true, sub: userId });
    expect((await client.refreshTokenGrant(config, tokens.refresh_token!)).access_token).toBeTruthy();
  });

  it('a client credentials token (no account) still introspects as active', async () => {
    const created = await server.createClient();
    const config = await client.discovery(new URL(server.issuer), created.client_id, { client_secret: created.client_secret }, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const { access_token } = await client.clientCredentialsGrant(config, { scope: '' });
    expect(await client.tokenIntrospection(config, access_token)).toMatchObject({ active: true, client_id: created.client_id });
  });
});
