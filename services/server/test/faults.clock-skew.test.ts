import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../../../packages/node/src/index.ts';
import { Keyring } from '../src/crypto/keyring.ts';
import { insertClient } from '../src/db/clients.ts';
import { createResourceWithCredentials } from '../src/resources/introspection-client.ts';
import { canRunCluster, startCluster, type Cluster } from './support/cluster.ts';
import { LbUser } from './support/lb-flow.ts';

const FAKETIME_LIB = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1'].find((f) => existsSync(f));
const PASSWORD = 'amber gate by the river';
const API = 'https://skew.api.example.com';
const SKEW = 90;

/**
 * One of two replicas runs 90 s fast (libfaketime on its process only).
 * What happens is what docs/operations.md states: the replica stamps its own
 * clock on what it issues, and lifetimes shorter than the skew (codes: 60 s)
 * break across replicas. Keep replicas on NTP.
 */
describe.skipIf(!canRunCluster || !FAKETIME_LIB)('faults: a replica whose clock is 90 s fast', () => {
  let cluster: Cluster;
  let basic: string;
  beforeAll(async () => {
    cluster = await startCluster({ replicas: 2 });
    await cluster.replicas[1]!.stop('SIGKILL');
    await cluster.startReplica(1, { LD_PRELOAD: FAKETIME_LIB!, FAKETIME: `+${SKEW}s` });
    const keyring = new Keyring([cluster.env.LATCHKEY_SECRETS!]);
    await createResourceWithCredentials({ knex: cluster.knex, issuer: cluster.issuer, keyring }, { identifier: API, scopes: ['read:things'], signing_alg: 'RS256' }, { actor: { actorType: 'operator', actorId: 'test' } });
    const id = randomBytes(12).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    await insertClient(cluster.knex, {
      id, name: `svc-${id}`, secret_hash: keyring.hash('client-secret', secret), redirect_uris: [], post_logout_redirect_uris: [],
      grant_types: ['client_credentials'], response_types: [], scope: 'read:things', token_endpoint_auth_method: 'client_secret_basic', first_party: false, metadata: {},
    });
    basic = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  }, 90_000);
  afterAll(() => cluster?.stop());

  const tokenFrom = async (i: number) => {
    const response = await fetch(`http://localhost:${cluster.ports[i]}/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', host: new URL(cluster.issuer).host },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: API, scope: 'read:things' }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('tokens it issues carry its clock (iat/exp 90 s ahead); the Node SDK verifies them on time', async () => {
    const now = Math.floor(Date.now() / 1000);
    const fast = await tokenFrom(1);
    const normal = await tokenFrom(0);
    expect([fast.status, normal.status]).toEqual([200, 200]);
    const f = decodeJwt(fast.body.access_token as string);
    const n = decodeJwt(normal.body.access_token as string);
    expect(Math.abs(f.iat! - now - SKEW)).toBeLessThanOrEqual(5);
    expect(Math.abs(n.iat! - now)).toBeLessThanOrEqual(5);
    expect(f.exp! - f.iat!).toBe(n.exp! - n.iat!);
    // The SDK checks exp and nbf (none is sent), not iat: a token from the future verifies, and lives 90 s longer.
    const verifier = createVerifier({ issuer: cluster.issuer, audience: API });
    await expect(verifier.verify(`Bearer ${fast.body.access_token}`)).resolves.toMatchObject({ sub: expect.any(String) });
    await expect(verifier.verify(`Bearer ${normal.body.access_token}`)).resolves.toMatchObject({ sub: expect.any(String) });
  });

  it('an authorization code issued on time is already expired at the fast replica (code lifetime 60 s < skew): invalid_grant', async () => {
    const client = await cluster.createClient({ first_party: true });
    const outcomes: Array<{ ok: boolean; tokenAt: string | null; error?: string }> = [];
    for (let i = 0; i < 4; i += 1) {
      const p = await cluster.createUser(PASSWORD);
      const user = new LbUser(cluster.issuer, client);
      try {
        const t = await user.signIn(p.email, PASSWORD);
        await user.refresh(t.refresh_token!);
        outcomes.push({ ok: true, tokenAt: user.hops.findLast((h) => h.path === '/token')?.replica ?? null });
      } catch (error) {
        outcomes.push({ ok: false, tokenAt: user.hops.findLast((h) => h.path === '/token')?.replica ?? null, error: String(error) });
      }
    }
    // Every failure is a code redeemed at the fast replica, refused as a client would expect (400, never 5xx).
    for (const o of outcomes.filter((o) => !o.ok)) {
      expect(o.tokenAt).toBe('r1');
      expect(o.error).toMatch(/400 invalid_grant/);
    }
    expect(outcomes.some((o) => !o.ok)).toBe(true);
  }, 60_000);
});
