import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import type { Db } from '../src/db/knex.ts';
import {
  ROTATION_GRACE_SECONDS,
  ensureSigningKeys,
  listSigningKeys,
  loadSigningKeys,
  rotateSigningKeys,
  type LoadedSigningKeys,
  type SigningKeyInfo,
} from '../src/oidc/keys.ts';
import { watchSigningKeys } from '../src/oidc/key-watch.ts';
import { backends } from './support/backends.ts';

const keyring = new Keyring(['rotation-test-secret-0123456789abcdefghij']);
const TTL = 3600;
const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);

type Issued = { RS256: string; ES256: string };

/**
 * Runs a real oidc-provider with `jwks` and gets one JWT access token per alg
 * (client_credentials + a resource server that wants JWTs), plus what its
 * jwks_uri publishes. Which kid oidc-provider picks is the thing under test.
 */
async function issueWith(jwks: LoadedSigningKeys['jwks']): Promise<{ tokens: Issued; published: JSONWebKeySet }> {
  const provider = new Provider('http://localhost', {
    jwks: structuredClone(jwks),
    ttl: { ClientCredentials: 600 },
    clients: [
      { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [] },
    ],
    features: {
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: async (_ctx, resource) => ({
          scope: 'api',
          audience: resource,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: resource.endsWith('/es') ? 'ES256' : 'RS256' } },
        }),
      },
    },
  });
  const server = createServer(provider.callback()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const token = async (resource: string) => {
      const response = await fetch(`${base}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', resource }),
      });
      const body = (await response.json()) as { access_token?: string };
      expect(response.status, JSON.stringify(body)).toBe(200);
      return body.access_token!;
    };
    const tokens = { RS256: await token('https://api.example/rs'), ES256: await token('https://api.example/es') };
    const published = (await (await fetch(`${base}/jwks`)).json()) as JSONWebKeySet;
    return { tokens, published };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;
const verifies = async (jwt: string, published: JSONWebKeySet) => {
  try {
    await jwtVerify(jwt, createLocalJWKSet(published));
    return true;
  } catch {
    return false;
  }
};

describe.each(backends)('signing key rotation ($name)', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    await db.knex('signing_keys').delete();
  });

  const kidsByStatus = async (now: Date) => {
    const groups: Record<string, SigningKeyInfo[]> = {};
    for (const key of await listSigningKeys({ db, now })) (groups[`${key.alg}:${key.status}`] ??= []).push(key);
    return groups;
  };

  it('publishes the next key before it signs, then switches and keeps the old one verifying until expiry', async () => {
    const t0 = new Date();
    await ensureSigningKeys({ db, keyring, now: t0 });
    const before = await loadSigningKeys({ db, keyring, now: t0, maxTokenTtlSeconds: TTL });
    const old = await kidsByStatus(t0);
    const oldKid = { RS256: old['RS256:active']![0]!.kid, ES256: old['ES256:active']![0]!.kid };
    const first = await issueWith(before.jwks);
    expect(kidOf(first.tokens.RS256)).toBe(oldKid.RS256);

    // Rotate: the next keys are published at once but do not sign yet.
    const rotatedAt = at(t0, 10);
    const { rotated } = await rotateSigningKeys({ db, keyring, now: rotatedAt });
    const activatesAt = at(rotatedAt, 90);
    expect(rotated.map((r) => r.activates_at.getTime())).toEqual([activatesAt.getTime(), activatesAt.getTime()]);
    const newKid = Object.fromEntries(rotated.map((r) => [r.alg, r.kid])) as Issued;

    const pending = await loadSigningKeys({ db, keyring, now: at(activatesAt, -1), maxTokenTtlSeconds: TTL });
    expect(pending.fingerprint).not.toBe(before.fingerprint);
    expect(pending.nextChangeAt?.getTime()).toBe(activatesAt.getTime());
    const during = await issueWith(pending.jwks);
    expect(during.published.keys.map((k) => k.kid).sort()).toEqual([...Object.values(oldKid), ...Object.values(newKid)].sort());
    expect(kidOf(during.tokens.RS256)).toBe(oldKid.RS256);
    expect(kidOf(during.tokens.ES256)).toBe(oldKid.ES256);
    expect((await kidsByStatus(at(activatesAt, -1)))['RS256:next']!.map((k) => k.kid)).toEqual([newKid.RS256]);

    // Activation: the new keys sign; tokens from the old ones still verify via jwks_uri.
    const switched = await loadSigningKeys({ db, keyring, now: activatesAt, maxTokenTtlSeconds: TTL });
    expect(switched.fingerprint).not.toBe(pending.fingerprint);
    const after = await issueWith(switched.jwks);
    expect(kidOf(after.tokens.RS256)).toBe(newKid.RS256);
    expect(kidOf(after.tokens.ES256)).toBe(newKid.ES256);
    for (const jwt of [...Object.values(first.tokens), ...Object.values(after.tokens)]) {
      expect(await verifies(jwt, after.published)).toBe(true);
    }
    const statuses = await kidsByStatus(activatesAt);
    expect(statuses['RS256:retired']!.map((k) => k.kid)).toEqual([oldKid.RS256]);
    expect(statuses['RS256:active']!.map((k) => k.kid)).toEqual([newKid.RS256]);
    const expiresAt = at(activatesAt, TTL + ROTATION_GRACE_SECONDS);
    expect(statuses['RS256:retired']![0]!.expires_at?.getTime()).toBe(expiresAt.getTime());
    // The persisted status column follows too (what `keys list` and SQL see).
    const stored = await db.knex('signing_keys').where({ kid: oldKid.RS256 }).first('status');
    expect(stored.status).toBe('retired');

    // Still published one second before expiry, gone after it.
    const lastMoment = await loadSigningKeys({ db, keyring, now: at(expiresAt, -1), maxTokenTtlSeconds: TTL });
    expect(lastMoment.jwks.keys).toHaveLength(4);
    const expired = await loadSigningKeys({ db, keyring, now: expiresAt, maxTokenTtlSeconds: TTL });
    expect(expired.fingerprint).not.toBe(lastMoment.fingerprint);
    const late = await issueWith(expired.jwks);
    expect(late.published.keys.map((k) => k.kid).sort()).toEqual(Object.values(newKid).sort());
    expect(await verifies(first.tokens.RS256, late.published)).toBe(false);
    expect(await verifies(after.tokens.RS256, late.published)).toBe(true);
  });

  it('rotate --now signs with the new key at once and the old one keeps verifying', async () => {
    const t0 = new Date();
    await ensureSigningKeys({ db, keyring, now: t0 });
    const first = await issueWith((await loadSigningKeys({ db, keyring, now: t0, maxTokenTtlSeconds: TTL })).jwks);
    const { rotated } = await rotateSigningKeys({ db, keyring, now: at(t0, 5), immediate: true });
    const loaded = await loadSigningKeys({ db, keyring, now: at(t0, 5), maxTokenTtlSeconds: TTL });
    const after = await issueWith(loaded.jwks);
    expect(kidOf(after.tokens.ES256)).toBe(rotated.find((r) => r.alg === 'ES256')!.kid);
    expect(await verifies(first.tokens.ES256, after.published)).toBe(true);
  });

  it('keeps exactly one signing key per alg when rotations overlap', async () => {
    const t0 = new Date();
    await ensureSigningKeys({ db, keyring, now: t0 });
    await rotateSigningKeys({ db, keyring, now: at(t0, 10) });
    await rotateSigningKeys({ db, keyring, now: at(t0, 30) });
    for (const seconds of [0, 50, 99, 100, 119, 120, 121, 500]) {
      const { jwks } = await loadSigningKeys({ db, keyring, now: at(t0, seconds), maxTokenTtlSeconds: TTL });
      const signers = jwks.keys.filter((k) => k.key_ops === undefined).map((k) => k.alg).sort();
      expect(signers, `at t0+${seconds}s`).toEqual(['ES256', 'RS256']);
    }
  });

  it('the watcher reports a rotation without restart and logs errors instead of throwing', async () => {
    const t0 = new Date();
    await ensureSigningKeys({ db, keyring, now: t0 });
    const initial = await loadSigningKeys({ db, keyring, now: t0, maxTokenTtlSeconds: TTL });
    const seen: LoadedSigningKeys[] = [];
    const stop = watchSigningKeys({
      db,
      keyring,
      intervalMs: 50,
      maxTokenTtlSeconds: TTL,
      since: initial.fingerprint,
      onChange: (result) => {
        seen.push(result);
      },
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen).toHaveLength(0);
      const { rotated } = await rotateSigningKeys({ db, keyring });
      await expect.poll(() => seen.length, { timeout: 5000 }).toBe(1);
      expect(seen[0]!.jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(rotated.map((r) => r.kid)));
    } finally {
      stop();
    }

    const errors: unknown[] = [];
    const stopBroken = watchSigningKeys({
      db,
      keyring: new Keyring(['not-the-secret-the-keys-were-sealed-with']),
      intervalMs: 50,
      maxTokenTtlSeconds: TTL,
      onChange: () => {
        throw new Error('must not be called');
      },
      logger: { error: (details) => errors.push(details) },
    });
    try {
      await expect.poll(() => errors.length, { timeout: 5000 }).toBeGreaterThan(1);
    } finally {
      stopBroken();
    }
  });
});
