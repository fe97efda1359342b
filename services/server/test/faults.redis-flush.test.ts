import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import { insertClient } from '../src/db/clients.ts';
import { hashPassword } from '../src/password/hash.ts';
import { LbUser } from './support/lb-flow.ts';
import { canUseOwnServices } from './support/own-services.ts';
import { startSingleReplica, type SingleReplica } from './support/single-replica.ts';

const PASSWORD = 'amber gate by the river';

/**
 * Redis holds only what may be lost. Flushed: a used refresh token stays used
 * and a revoked grant stays revoked (both decided in Postgres).
 */
describe.skipIf(!canUseOwnServices)('faults: Redis flushed', () => {
  let s: SingleReplica;
  beforeAll(async () => {
    s = await startSingleReplica();
  }, 60_000);
  afterAll(() => s?.stop());

  async function signedIn() {
    const secrets = s.env.LATCHKEY_SECRETS!;
    const id = randomBytes(12).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    await insertClient(s.knex, {
      id, name: `app-${id}`, secret_hash: new Keyring([secrets]).hash('client-secret', secret), redirect_uris: ['http://127.0.0.1:9999/callback'],
      post_logout_redirect_uris: [], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'openid offline_access email',
      token_endpoint_auth_method: 'client_secret_basic', first_party: true, metadata: {},
    });
    const email = `p-${randomBytes(5).toString('hex')}@example.com`;
    await s.knex('users').insert({ email, email_verified: true, password_hash: await hashPassword(PASSWORD) });
    const user = new LbUser(s.replica.url, { client_id: id, client_secret: secret, redirect_uri: 'http://127.0.0.1:9999/callback' });
    return { user, tokens: await user.signIn(email, PASSWORD) };
  }

  it('a flush revives no used refresh token and no revoked grant', async () => {
    const { user, tokens } = await signedIn();
    const next = await user.refresh(tokens.refresh_token!);
    expect(await s.redis.cli('flushall')).toBe('OK');
    await expect(user.refresh(tokens.refresh_token!)).rejects.toThrow(/400 invalid_grant/);
    // The replay revoked the grant; a flush does not bring it back either.
    expect(await s.redis.cli('flushall')).toBe('OK');
    await expect(user.refresh(next.refresh_token!)).rejects.toThrow(/400 invalid_grant/);
  }, 30_000);
});
