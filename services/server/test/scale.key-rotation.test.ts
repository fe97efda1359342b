import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, type Verifier } from '../../../packages/node/src/index.ts';
import { Keyring } from '../src/crypto/keyring.ts';
import { insertClient } from '../src/db/clients.ts';
import { createResourceWithCredentials } from '../src/resources/introspection-client.ts';
import { canRunCluster, startCluster, type Cluster } from './support/cluster.ts';
import { runCli } from './support/process.ts';

const API = 'https://rotating.api.example.com';
const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A key rotation under load, three replicas behind HAProxy: tokens keep
 * coming from every replica while `keys rotate` publishes the next key and
 * it starts signing, and while `keys rotate --now` makes a new key sign at
 * once. Three APIs verify every token with @latchkey/node's verifier (its
 * own JWKS, fetched through the load balancer from whichever replica
 * answers, refetched only on an unknown kid and then not again for a while):
 * not one verification may fail.
 */
describe.skipIf(!canRunCluster)('scale: key rotation under load', () => {
  let cluster: Cluster;
  let basic: string;
  beforeAll(async () => {
    cluster = await startCluster();
    const keyring = new Keyring([cluster.env.LATCHKEY_SECRETS!]);
    await createResourceWithCredentials(
      { knex: cluster.knex, issuer: cluster.issuer, keyring },
      { identifier: API, scopes: ['read:things'], signing_alg: 'RS256' },
      { actor: { actorType: 'operator', actorId: 'test' } },
    );
    const id = randomBytes(12).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    await insertClient(cluster.knex, {
      id, name: `svc-${id}`, secret_hash: keyring.hash('client-secret', secret), redirect_uris: [], post_logout_redirect_uris: [],
      grant_types: ['client_credentials'], response_types: [], scope: 'read:things', token_endpoint_auth_method: 'client_secret_basic', first_party: false, metadata: {},
    });
    basic = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  }, 90_000);
  afterAll(() => cluster?.stop());

  async function token(): Promise<string> {
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(`${cluster.issuer}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: API, scope: 'read:things' }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await response.json()) as { access_token?: string };
      if (response.status === 200 && body.access_token) return body.access_token;
      throw new Error(`token: ${response.status} ${JSON.stringify(body)}`);
    }
  }

  it('keys rotate, the next key activating, and keys rotate --now: every token verifies at every API', async () => {
    // Each API its own verifier (own JWKS cache), with the SDK's defaults except the refetch cooldown:
    // 30 s by default, shrunk so two rotations fit in one test (each phase below lasts longer than it).
    const verifiers: Verifier[] = Array.from({ length: 3 }, () => createVerifier({ issuer: cluster.issuer, audience: API, jwksCooldown: 2 }));
    const failures: string[] = [];
    const kids = new Map<string, number>();
    let tokens = 0;
    let stopped = false;
    let phase = 'before';
    const worker = async () => {
      while (!stopped) {
        let jwt: string;
        try {
          jwt = await token();
        } catch (error) {
          failures.push(`token: ${String(error)}`);
          continue;
        }
        tokens += 1;
        kids.set(kidOf(jwt), (kids.get(kidOf(jwt)) ?? 0) + 1);
        await Promise.all(
          verifiers.map((v, i) => v.verify(`Bearer ${jwt}`, { scopes: ['read:things'] }).catch((error: unknown) => {
            failures.push(`${phase}: verifier ${i}, kid ${kidOf(jwt)}: ${String(error)}`);
          })),
        );
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, worker));
    /** Waits until tokens signed with a kid other than `kid` have been verified for a while. */
    const signingMovesOn = async (kid: string) => {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && ![...kids.keys()].some((k) => k !== kid && !seen.has(k))) await sleep(100);
      const next = [...kids.keys()].find((k) => k !== kid && !seen.has(k));
      expect(next, 'a new key signs').toBeDefined();
      seen.add(next!);
      await sleep(2_000);
      return next!;
    };
    const seen = new Set<string>();
    try {
      await sleep(1_000);
      const first = [...kids.keys()][0]!;
      seen.add(first);
      const env = { DATABASE_URL: cluster.databaseUrl, REDIS_URL: cluster.redis.url, LATCHKEY_SECRETS: cluster.env.LATCHKEY_SECRETS!, LATCHKEY_ISSUER: cluster.issuer };

      // Published now, signing in 90 s: the test brings the activation forward to 2 s from now instead of waiting.
      phase = 'keys rotate';
      const rotated = await runCli(['--json', 'keys', 'rotate'], env);
      expect(rotated.code, rotated.stderr).toBe(0);
      const next = (JSON.parse(rotated.stdout) as { rotated: Array<{ kid: string; alg: string }> }).rotated.find((k) => k.alg === 'RS256')!.kid;
      await sleep(1_500);
      phase = 'next key activates';
      await cluster.knex.raw(
        `with old as (update signing_keys set retired_at = now() + interval '2 seconds' where alg = 'RS256' and kid <> ? and retired_at > now() returning kid)
         update signing_keys set activates_at = now() + interval '2 seconds' where kid = ?`,
        [next, next],
      );
      expect(await signingMovesOn(first)).toBe(next);

      // An emergency rotation: the new key signs at once.
      phase = 'keys rotate --now';
      const now = await runCli(['--json', 'keys', 'rotate', '--now'], env);
      expect(now.code, now.stderr).toBe(0);
      const emergency = (JSON.parse(now.stdout) as { rotated: Array<{ kid: string; alg: string }> }).rotated.find((k) => k.alg === 'RS256')!.kid;
      expect(await signingMovesOn(next)).toBe(emergency);
    } finally {
      stopped = true;
      await load;
    }
    expect(failures.slice(0, 5), `${failures.length} failed`).toEqual([]);
    expect(tokens).toBeGreaterThan(30);
    expect(kids.size).toBe(3);
  }, 60_000);
});
