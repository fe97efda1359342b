import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import { insertClient } from '../src/db/clients.ts';
import { hashPassword } from '../src/password/hash.ts';
import { LbUser } from './support/lb-flow.ts';
import { canUseOwnServices } from './support/own-services.ts';
import { startSingleReplica, timed, type SingleReplica } from './support/single-replica.ts';

const PASSWORD = 'amber gate by the river';
/** Well under the 3 s a request took while the Redis client queued and retried; generous for a loaded machine. */
const FAST_MS = 1_000;

/**
 * Redis stopped (or hung) under a running replica: requests that touch the
 * store stay fast, the client-authentication limit still answers 429 (per
 * process), nothing Postgres decided comes back to life, and when Redis
 * returns the same process counts in it again.
 */
describe.skipIf(!canUseOwnServices)('faults: Redis down', () => {
  let s: SingleReplica;
  beforeAll(async () => {
    // A small failure budget per IP, so the limit is met in a few requests.
    s = await startSingleReplica({ env: { LATCHKEY_RATE_LIMITS: 'client-auth.ip=6/10m' } });
  }, 60_000);
  afterAll(() => s?.stop());

  const wrongSecret = (clientId: string) =>
    fetch(`${s.replica.url}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:not-the-secret`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(30_000),
    });

  async function signedIn() {
    const id = randomBytes(12).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    await insertClient(s.knex, {
      id, name: `app-${id}`, secret_hash: new Keyring([s.env.LATCHKEY_SECRETS!]).hash('client-secret', secret), redirect_uris: ['http://127.0.0.1:9999/callback'],
      post_logout_redirect_uris: [], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], scope: 'openid offline_access email',
      token_endpoint_auth_method: 'client_secret_basic', first_party: true, metadata: {},
    });
    const email = `p-${randomBytes(5).toString('hex')}@example.com`;
    await s.knex('users').insert({ email, email_verified: true, password_hash: await hashPassword(PASSWORD) });
    const user = new LbUser(s.replica.url, { client_id: id, client_secret: secret, redirect_uri: 'http://127.0.0.1:9999/callback' });
    return { user, email, tokens: await user.signIn(email, PASSWORD) };
  }

  async function untilReady() {
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await fetch(`${s.replica.url}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  }

  it('hung (answers nothing): requests give up on it quickly and fall back; recovery when it answers', async () => {
    s.redis.pause();
    try {
      const times: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const { value, ms } = await timed(() => s.token());
        expect(value.status).toBe(200);
        times.push(ms);
      }
      // The first request may wait out one command timeout; after that the connection is dropped and nothing waits.
      expect(times[0]).toBeLessThan(2 * FAST_MS);
      for (const ms of times.slice(1)) expect(ms).toBeLessThan(FAST_MS);
      const { value: ready, ms } = await timed(() => fetch(`${s.replica.url}/readyz`));
      expect(ready.status).toBe(503);
      expect(ms).toBeLessThan(2 * FAST_MS);
    } finally {
      s.redis.resume();
    }
    await untilReady();
    expect((await s.token()).status).toBe(200);
  }, 60_000);

  it('stopped: fast tokens, client-auth 429 per process, no revived refresh token; recovery when it is back', async () => {
    const first = await signedIn();
    const rotated = await first.user.refresh(first.tokens.refresh_token!);
    await s.redis.stop();

    for (let i = 0; i < 5; i += 1) {
      const { value, ms } = await timed(() => s.token());
      expect(value.status).toBe(200);
      expect(ms).toBeLessThan(FAST_MS);
    }
    const { value: ready, ms: readyMs } = await timed(() => fetch(`${s.replica.url}/readyz`));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { database: 'ok', store: 'unavailable' } });
    expect(readyMs).toBeLessThan(FAST_MS);
    expect((await fetch(`${s.replica.url}/healthz`)).status).toBe(200);

    // Guessing a client's secret still meets the per-IP budget (counted in this process), each answer fast.
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const { value, ms } = await timed(() => wrongSecret(s.client.client_id));
      await value.arrayBuffer();
      statuses.push(value.status);
      expect(ms).toBeLessThan(FAST_MS);
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);

    // Postgres decides what is used: the replayed refresh token is refused and revokes the grant.
    await expect(first.user.refresh(first.tokens.refresh_token!)).rejects.toThrow(/400 invalid_grant/);
    await expect(first.user.refresh(rotated.refresh_token!)).rejects.toThrow(/400 invalid_grant/);
    // A person still signs in (hosted pages, password limit per process, code, tokens).
    const during = await signedIn();
    expect(during.tokens.refresh_token).toEqual(expect.any(String));

    await s.redis.start();
    await untilReady();
    // An empty Redis revives nothing: still refused.
    await expect(first.user.refresh(rotated.refresh_token!)).rejects.toThrow(/400 invalid_grant/);
    expect((await s.token()).status).toBe(200);
    // The limits count in Redis again (shared by the replicas), not in the process.
    expect((await wrongSecret(s.client.client_id)).status).toBe(401);
    expect(await s.redis.cli('--scan', '--pattern', 'ratelimit:*client-auth*')).not.toBe('');
    expect(s.replica.child.exitCode).toBeNull();
  }, 60_000);
});
