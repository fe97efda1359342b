import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import type { Db } from '../db/knex.ts';
import {
  countActiveSigningKeys,
  deleteSigningKey,
  findSigningKeyRow,
  insertSigningKey,
  listPublishedSigningKeyRows,
  listSigningKeyRows,
  persistSigningKeyStatuses,
  retireSigningKeysAt,
  setSigningKeyActivation,
  setSigningKeyRetirement,
  settleSigningKeyExpiry,
  updateSigningKeyCiphertext,
  withSigningKeyLock,
  type SigningKeyRow,
  type SigningKeyStatus,
} from '../db/signing-keys.ts';

// Signing key lifecycle. A key's state is derived from its timestamps alone:
//   next     now < activates_at                       published, verify only
//   active   activates_at <= now < retired_at (or null) the one key of its alg that signs
//   retired  retired_at <= now < expires_at (or null)   published, verify only
//   gone     expires_at <= now                          no longer published
// so every replica computes the same set from the same rows, with no
// coordination beyond the database.

export const SIGNING_ALGS = ['RS256', 'ES256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** How long a rotated-in key is published before it signs: more than the 60 s replicas need to see it. */
export const DEFAULT_PROPAGATION_SECONDS = 90;

/**
 * Added to the token lifetime when deciding how long a retired key stays
 * published: a replica that missed the switch (watcher error, slow rebuild)
 * may still sign with the old key for up to one refresh interval (≤ 60 s).
 */
export const ROTATION_GRACE_SECONDS = 60;

const PURPOSE = 'signing-key';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const;

export type SigningKeyInfo = {
  kid: string;
  alg: string;
  status: SigningKeyStatus;
  /** False once expires_at has passed (the key is kept for the record only). */
  published: boolean;
  activates_at: Date;
  retired_at: Date | null;
  expires_at: Date | null;
};

export type LoadedSigningKeys = {
  /** Private JWKs for oidc-provider's `jwks` option; only the active key of each alg may sign. */
  jwks: { keys: JWK[] };
  /** Changes iff the published set or the signing keys change. */
  fingerprint: string;
  /** Next instant the set changes by time alone (a key activates, retires or expires); null if none pending. */
  nextChangeAt: Date | null;
};

type Deps = { db: Db; keyring: Keyring; now?: Date };

/** Runs in the transaction that made a change, after it (the audit event for it, say). */
type OnChange<R> = (trx: Knex.Transaction, result: R) => Promise<void>;

export function statusAt(row: Pick<SigningKeyRow, 'activates_at' | 'retired_at'>, now: Date): SigningKeyStatus {
  if (row.retired_at && row.retired_at <= now) return 'retired';
  return row.activates_at <= now ? 'active' : 'next';
}

async function generateSigningKey(alg: SigningAlg): Promise<{ kid: string; privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  const privateJwk: JWK = { ...jwk, kid, alg, use: 'sig' };
  const publicJwk: JWK = { ...privateJwk };
  for (const member of PRIVATE_MEMBERS) delete publicJwk[member];
  return { kid, privateJwk, publicJwk };
}

/** Adds a key of `alg` that signs from `activatesAt`; whatever signs until then stops at that instant. */
async function addSigningKey(trx: Knex.Transaction, keyring: Keyring, alg: SigningAlg, activatesAt: Date, now: Date) {
  const { kid, privateJwk, publicJwk } = await generateSigningKey(alg);
  await retireSigningKeysAt(trx, alg, activatesAt, now);
  await insertSigningKey(
    trx,
    {
      kid,
      alg,
      private_jwk: keyring.encrypt(PURPOSE, JSON.stringify(privateJwk)),
      public_jwk: publicJwk as Record<string, unknown>,
      status: statusAt({ activates_at: activatesAt, retired_at: null }, now),
      activates_at: activatesAt,
    },
    now,
  );
  return { kid, alg, activates_at: activatesAt };
}

/**
 * First start: creates an active RS256 and ES256 key where none is active.
 * Safe when several processes boot at once (advisory lock + re-check).
 */
export async function ensureSigningKeys({ db, keyring, now = new Date() }: Deps): Promise<{ created: Array<{ kid: string; alg: string }> }> {
  return withSigningKeyLock(db.knex, async (trx) => {
    const created: Array<{ kid: string; alg: string }> = [];
    for (const alg of SIGNING_ALGS) {
      if ((await countActiveSigningKeys(trx, alg, now)) > 0) continue;
      const { kid } = await addSigningKey(trx, keyring, alg, now, now);
      created.push({ kid, alg });
    }
    return { created };
  });
}

/**
 * Adds the next key of every alg. It is published at once and signs from
 * now + propagationSeconds (or now with `immediate`, for emergencies: replicas
 * then keep signing with the old key until they notice, ≤ their refresh interval).
 * An alg with no active key gets an active one immediately: nothing signs yet.
 */
export async function rotateSigningKeys({
  db,
  keyring,
  now = new Date(),
  immediate = false,
  propagationSeconds = DEFAULT_PROPAGATION_SECONDS,
  record,
}: Deps & { immediate?: boolean; propagationSeconds?: number; record?: OnChange<Array<{ kid: string; alg: string; activates_at: Date }>> }): Promise<{
  rotated: Array<{ kid: string; alg: string; activates_at: Date }>;
}> {
  if (!(propagationSeconds >= 0)) throw new RangeError('propagationSeconds must be >= 0');
  return withSigningKeyLock(db.knex, async (trx) => {
    const rotated: Array<{ kid: string; alg: string; activates_at: Date }> = [];
    for (const alg of SIGNING_ALGS) {
      const hasActive = (await countActiveSigningKeys(trx, alg, now)) > 0;
      const activatesAt = immediate || !hasActive ? now : new Date(now.getTime() + propagationSeconds * 1000);
      rotated.push(await addSigningKey(trx, keyring, alg, activatesAt, now));
    }
    await persistSigningKeyStatuses(trx, now);
    await record?.(trx, rotated);
    return { rotated };
  });
}

export type RevokedSigningKey = {
  kid: string;
  alg: string;
  /** Its status when revoked. */
  was: SigningKeyStatus;
  /** The key that signs for this alg from now on, when the revoked one was signing. */
  replacedBy?: { kid: string; created: boolean };
};

/**
 * Revokes a compromised key: its row (and private part) is deleted, so no
 * replica publishes or signs with it once it reloads; tokens it signed stop
 * verifying. If it was the active key, its successor signs at once: the
 * pending next key when there is one, else a fresh key. Revoking a next key
 * lets the current key go on signing. Undefined for an unknown kid.
 */
export async function revokeSigningKey({
  db,
  keyring,
  kid,
  now = new Date(),
  record,
}: Deps & { kid: string; record?: OnChange<RevokedSigningKey> }): Promise<RevokedSigningKey | undefined> {
  return withSigningKeyLock(db.knex, async (trx) => {
    const row = await findSigningKeyRow(trx, kid);
    if (!row) return undefined;
    const was = statusAt(row, now);
    const alg = row.alg as SigningAlg;
    const others = (await listSigningKeyRows(trx)).filter((other) => other.alg === alg && other.kid !== kid);
    await deleteSigningKey(trx, kid);
    const result: RevokedSigningKey = { kid, alg, was };

    if (was === 'active') {
      // A pending key that an immediate rotation retired before it ever signed cannot take over.
      const next = others
        .filter((other) => other.activates_at > now && (other.retired_at === null || other.retired_at > other.activates_at))
        .sort((a, b) => a.activates_at.getTime() - b.activates_at.getTime())[0];
      if (next) {
        await setSigningKeyActivation(trx, next.kid, now, 'active', now);
        result.replacedBy = { kid: next.kid, created: false };
      } else if ((SIGNING_ALGS as readonly string[]).includes(alg)) {
        const added = await addSigningKey(trx, keyring, alg, now, now);
        result.replacedBy = { kid: added.kid, created: true };
      }
    } else if (was === 'next') {
      // Whatever was to retire when this key took over now signs until the key after it (if any) does.
      const after = others.filter((other) => other.activates_at > row.activates_at).sort((a, b) => a.activates_at.getTime() - b.activates_at.getTime())[0];
      for (const other of others) {
        if (other.retired_at && other.retired_at.getTime() === row.activates_at.getTime()) {
          await setSigningKeyRetirement(trx, other.kid, after?.activates_at ?? null, now);
        }
      }
    }
    await persistSigningKeyStatuses(trx, now);
    await record?.(trx, result);
    return result;
  });
}

/**
 * Re-wraps every signing key's private part under the newest secret (after
 * LATCHKEY_SECRETS gained a new first entry). Idempotent: keys already under
 * the newest secret are left alone. Throws, changing nothing, when a key
 * cannot be decrypted with any listed secret.
 */
export async function reencryptSigningKeys({
  db,
  keyring,
  now = new Date(),
  record,
}: Deps & { record?: OnChange<{ reencrypted: string[]; total: number }> }): Promise<{ reencrypted: string[]; total: number }> {
  return withSigningKeyLock(db.knex, async (trx) => {
    const rows = await listSigningKeyRows(trx);
    const reencrypted: string[] = [];
    for (const row of rows) {
      const sealed = keyring.reencrypt(PURPOSE, row.private_jwk);
      if (sealed === undefined) continue;
      await updateSigningKeyCiphertext(trx, row.kid, sealed, now);
      reencrypted.push(row.kid);
    }
    const result = { reencrypted, total: rows.length };
    await record?.(trx, result);
    return result;
  });
}

/** All keys with their status at `now` (persisting status transitions on the way); no private material. */
export async function listSigningKeys({ db, now = new Date() }: { db: Db; now?: Date }): Promise<SigningKeyInfo[]> {
  await persistSigningKeyStatuses(db.knex, now);
  const rows = await listSigningKeyRows(db.knex);
  return rows.map((row) => ({
    kid: row.kid,
    alg: row.alg,
    status: statusAt(row, now),
    published: row.expires_at === null || row.expires_at > now,
    activates_at: row.activates_at,
    retired_at: row.retired_at,
    expires_at: row.expires_at,
  }));
}

/**
 * The key set a provider should run with at `now`. `maxTokenTtlSeconds` is the
 * longest lifetime of anything signed (ID tokens, JWT access tokens, …): a
 * retired key stays published that long (+ ROTATION_GRACE_SECONDS) so every
 * token it signed keeps verifying until it expires.
 */
export async function loadSigningKeys({
  db,
  keyring,
  now = new Date(),
  maxTokenTtlSeconds,
}: Deps & { maxTokenTtlSeconds: number }): Promise<LoadedSigningKeys> {
  if (!(Number.isFinite(maxTokenTtlSeconds) && maxTokenTtlSeconds >= 0)) {
    throw new RangeError('maxTokenTtlSeconds must be a non-negative number of seconds');
  }
  await persistSigningKeyStatuses(db.knex, now);
  await settleSigningKeyExpiry(db.knex, maxTokenTtlSeconds + ROTATION_GRACE_SECONDS, now);
  const rows = await listPublishedSigningKeyRows(db.knex, now);
  if (rows.length === 0) throw new Error('No signing keys: run ensureSigningKeys first');

  // Exactly one signer per alg; by construction at most one is active, but if
  // rows ever overlap the newest wins and the rest only verify.
  const signers = new Map<string, SigningKeyRow>();
  for (const row of rows) {
    if (statusAt(row, now) !== 'active') continue;
    const current = signers.get(row.alg);
    if (!current || current.activates_at < row.activates_at) signers.set(row.alg, row);
  }
  for (const row of rows) {
    if (!signers.has(row.alg)) throw new Error(`No active ${row.alg} signing key: run ensureSigningKeys`);
  }

  const signing = rows.filter((row) => signers.get(row.alg) === row);
  const verifying = rows.filter((row) => signers.get(row.alg) !== row);
  const keys: JWK[] = [
    // Signers first as well, so even selection by order alone would pick them.
    ...signing.map((row) => decryptJwk(keyring, row)),
    // oidc-provider's selectForSign skips keys whose key_ops lack 'sign'.
    ...verifying.map((row) => ({ ...decryptJwk(keyring, row), key_ops: ['verify'] })),
  ];

  const fingerprint = createHash('sha256')
    .update(JSON.stringify([...signing.map((r) => `${r.kid}:sign`), ...verifying.map((r) => `${r.kid}:verify`)].sort()))
    .digest('base64url');

  let nextChangeAt: Date | null = null;
  for (const row of rows) {
    for (const at of [row.activates_at, row.retired_at, row.expires_at]) {
      if (at && at > now && (!nextChangeAt || at < nextChangeAt)) nextChangeAt = at;
    }
  }
  return { jwks: { keys }, fingerprint, nextChangeAt };
}

function decryptJwk(keyring: Keyring, row: SigningKeyRow): JWK {
  const jwk = JSON.parse(keyring.decrypt(PURPOSE, row.private_jwk)) as JWK;
  if (jwk.kid !== row.kid) throw new Error(`Signing key ${row.kid} does not match its stored kid`);
  return jwk;
}
