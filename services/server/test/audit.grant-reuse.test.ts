import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from './support/browser.ts';
import { signInWithCode } from './support/code-flow.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * A refresh token or authorization code redeemed twice has leaked; the grant
 * is revoked and the audit log must say so once, naming client, user and why.
 */
describe('grant revocation on reuse is an audit event', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  const revocations = (grantClient: string) =>
    server.db.knex('audit_events').where({ type: 'grant.revoked', client_id: grantClient }).select('actor_type', 'actor_id', 'subject_type', 'subject_id', 'data');

  it('refresh token reuse: one grant.revoked event with reason refresh_token_reuse', async () => {
    const { config, tokens, userId, client_id } = await signInWithCode(server);
    await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(await revocations(client_id)).toEqual([]);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // A second replay finds the grant already revoked: still one event.
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const events = await revocations(client_id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor_type: 'client',
      actor_id: client_id,
      subject_type: 'user',
      subject_id: userId,
      data: { reason: 'refresh_token_reuse', grant_id: expect.any(String) },
    });
  });

  it('authorization code reuse: one grant.revoked event with reason code_reuse', async () => {
    const { client_id, client_secret, redirect_uri } = await server.createClient();
    const userId = await server.createUser();
    const config = await client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await authorize(url, userId, redirect_uri);
    const redeem = () =>
      fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri, code_verifier: verifier }).toString(),
      });
    expect((await redeem()).status).toBe(200);
    const replay = await redeem();
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    const events = await revocations(client_id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: client_id, subject_id: userId, data: { reason: 'code_reuse' } });
  });
});
