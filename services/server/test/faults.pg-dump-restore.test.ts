import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import { insertClient } from '../src/db/clients.ts';
import { hashPassword } from '../src/password/hash.ts';
import { LbUser, type LbClient } from './support/lb-flow.ts';
import { canUseOwnServices } from './support/own-services.ts';
import { spawnServer, type ServerProcess } from './support/process.ts';
import { startSingleReplica, type SingleReplica } from './support/single-replica.ts';

const run = promisify(execFile);
const PASSWORD = 'amber gate by the river';

/**
 * The backup the operations guide describes: `pg_dump --format=custom` of a
 * database under load, `pg_restore` into a fresh database, and a server
 * booted on it (same LATCHKEY_SECRETS) serves the users, clients, grants and
 * signing keys it had: an ID token issued before the dump verifies against
 * the restored JWKS, a refresh token from before still refreshes, a person
 * still signs in and a client still gets tokens.
 */
describe.skipIf(!canUseOwnServices)('faults: pg_dump under load, restored into a fresh database', () => {
  let s: SingleReplica;
  let restored: ServerProcess | undefined;
  let dir: string;
  beforeAll(async () => {
    s = await startSingleReplica();
    dir = await mkdtemp(path.join(tmpdir(), 'latchkey-dump-'));
  }, 60_000);
  afterAll(async () => {
    await restored?.stop('SIGKILL');
    await s?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function appClient(): Promise<LbClient> {
    const id = randomBytes(12).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    await insertClient(s.knex, {
      id, name: `app-${id}`, secret_hash: new Keyring([s.env.LATCHKEY_SECRETS!]).hash('client-secret', secret), redirect_uris: ['http://127.0.0.1:9999/callback'],
      post_logout_redirect_uris: [], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'openid offline_access email',
      token_endpoint_auth_method: 'client_secret_basic', first_party: true, metadata: {},
    });
    return { client_id: id, client_secret: secret, redirect_uri: 'http://127.0.0.1:9999/callback' };
  }
  async function person(): Promise<string> {
    const email = `p-${randomBytes(5).toString('hex')}@example.com`;
    await s.knex('users').insert({ email, email_verified: true, password_hash: await hashPassword(PASSWORD) });
    return email;
  }

  it('the restored database boots a server with the users, clients, grants and keys', async () => {
    const client = await appClient();
    const email = await person();
    const before = await new LbUser(s.replica.url, client).signIn(email, PASSWORD);

    // A bounded load while pg_dump runs: client-credentials tokens and new sign-ins.
    let stopped = false;
    const errors: string[] = [];
    let done = 0;
    const load = Promise.all(
      Array.from({ length: 3 }, async (_, i) => {
        while (!stopped) {
          try {
            if (i === 0) await new LbUser(s.replica.url, client).signIn(await person(), PASSWORD);
            else expect((await s.token()).status).toBe(200);
            done += 1;
          } catch (error) {
            errors.push(String(error));
          }
        }
      }),
    );
    const file = path.join(dir, 'latchkey.dump');
    try {
      await new Promise((r) => setTimeout(r, 500));
      await run('pg_dump', ['--format=custom', `--file=${file}`, `--dbname=${s.env.DATABASE_URL}`]);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      stopped = true;
      await load;
    }
    expect(errors).toEqual([]);
    expect(done).toBeGreaterThan(3);

    const target = await s.pg.createDatabase('latchkey_restored');
    await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${target}`, file]);

    // The same deployment (issuer, secrets) on the restored database, the old replica gone.
    await s.replica.stop('SIGKILL');
    restored = await spawnServer({ ...s.env, DATABASE_URL: target });
    expect((await fetch(`${restored.url}/readyz`)).status).toBe(200);

    // Keys: the ID token signed before the dump verifies against the restored JWKS.
    const jwks = createRemoteJWKSet(new URL(`${restored.url}/jwks`));
    const { payload } = await jwtVerify(before.id_token!, jwks, { issuer: s.env.LATCHKEY_ISSUER, audience: client.client_id });
    expect(payload.email).toBe(email);
    // Client and grant: the refresh token from before still refreshes.
    const refreshed = await new LbUser(restored.url, client).refresh(before.refresh_token!);
    expect(refreshed.access_token).toEqual(expect.any(String));
    // User: signs in again with the password.
    const again = await new LbUser(restored.url, client).signIn(email, PASSWORD);
    expect(again.id_token).toEqual(expect.any(String));
    // The client-credentials client's hashed secret still matches.
    const token = await fetch(`${restored.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${s.client.client_id}:${s.client.client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
  }, 60_000);
});
