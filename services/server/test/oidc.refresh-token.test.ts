import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithCode } from './support/code-flow.ts';
import { startTestServer, type TestServer } from './support/server.ts';

describe('refresh tokens: rotation and reuse detection', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  const signIn = () => signInWithCode(server);

  it('each refresh returns a new refresh token and new tokens', async () => {
    const { config, tokens } = await signIn();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect((await client.tokenIntrospection(config, refreshed.access_token)).active).toBe(true);
    const again = await client.refreshTokenGrant(config, refreshed.refresh_token!);
    expect(again.refresh_token).not.toBe(refreshed.refresh_token);
  });

  it('reusing a rotated refresh token fails and revokes the whole grant', async () => {
    const { config, tokens } = await signIn();
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The attacker's replay burned the legitimate holder's tokens too.
    expect((await client.tokenIntrospection(config, refreshed.access_token)).active).toBe(false);
    await expect(client.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('ten parallel refreshes with one token: exactly one succeeds', async () => {
    const { config, tokens } = await signIn();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.refreshTokenGrant(config, tokens.refresh_token!)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ error: 'invalid_grant' });
  });
});
