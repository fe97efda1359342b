import type { Knex } from 'knex';

// Queries on `signing_keys`. Lifecycle rules live in src/oidc/keys.ts; this
// module only reads and writes rows.

export type SigningKeyStatus = 'next' | 'active' | 'retired';

export type SigningKeyRow = {
  kid: string;
  alg: string;
  /** Private JWK, encrypted with Keyring purpose 'signing-key'. */
  private_jwk: string;
  public_jwk: Record<string, unknown>;
  status: SigningKeyStatus;
  created_at: Date;
  activates_at: Date;
  retired_at: Date | null;
  expires_at: Date | null;
  updated_at: Date;
};

export type NewSigningKey = Pick<SigningKeyRow, 'kid' | 'alg' | 'private_jwk' | 'public_jwk' | 'status' | 'activates_at'>;

const TABLE = 'signing_keys';

// Any constant works; it only has to be the same in every process.
const SIGNING_KEY_LOCK_ID = 0x4c4b534b; // "LKSK"

/**
 * Runs `work` in a transaction that holds a transaction-scoped advisory lock,
 * so two processes creating or rotating keys at once are serialised and never
 * both add an active key. (PGlite has one connection, so its transactions are
 * serialised anyway; the lock is harmless there.)
 */
export async function withSigningKeyLock<T>(knex: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [SIGNING_KEY_LOCK_ID]);
    return work(trx);
  });
}

/** Every row, oldest first per alg (for `keys list`). */
export async function listSigningKeyRows(knex: Knex): Promise<SigningKeyRow[]> {
  return knex<SigningKeyRow>(TABLE).select('*').orderBy([{ column: 'alg' }, { column: 'activates_at' }, { column: 'kid' }]);
}

/** Rows still published at `now` (not past expires_at), with their encrypted private part. */
export async function listPublishedSigningKeyRows(knex: Knex, now: Date): Promise<SigningKeyRow[]> {
  return knex<SigningKeyRow>(TABLE)
    .select('*')
    .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', now))
    .orderBy([{ column: 'alg' }, { column: 'activates_at' }, { column: 'kid' }]);
}

/** Keys of `alg` that sign at `now` (activated and not yet retired). */
export async function countActiveSigningKeys(knex: Knex, alg: string, now: Date): Promise<number> {
  const row = await knex(TABLE)
    .where({ alg })
    .andWhere('activates_at', '<=', now)
    .andWhere((q) => q.whereNull('retired_at').orWhere('retired_at', '>', now))
    .count<{ count: number }[]>({ count: '*' })
    .first();
  return Number(row?.count ?? 0);
}

export async function insertSigningKey(knex: Knex, key: NewSigningKey, now: Date): Promise<void> {
  await knex(TABLE).insert({
    ...key,
    public_jwk: JSON.stringify(key.public_jwk),
    created_at: now,
    updated_at: now,
  });
}

/**
 * Ends the signing life of every key of `alg` that would still sign at `at`:
 * its successor takes over at that instant. Keys already retired earlier keep
 * their date, so the chain of keys never overlaps.
 */
export async function retireSigningKeysAt(knex: Knex, alg: string, at: Date, now: Date): Promise<void> {
  await knex(TABLE)
    .where({ alg })
    .andWhere((q) => q.whereNull('retired_at').orWhere('retired_at', '>', at))
    .update({ retired_at: at, updated_at: now });
}

/**
 * Brings the stored `status` in line with the timestamps at `now`. Status is
 * derived from the timestamps (so replicas agree without talking to each
 * other); persisting it only keeps `keys list` and ad-hoc SQL truthful.
 * Idempotent: each UPDATE touches only rows whose status is stale.
 */
export async function persistSigningKeyStatuses(knex: Knex, now: Date): Promise<void> {
  await knex(TABLE)
    .whereNot('status', 'retired')
    .whereNotNull('retired_at')
    .andWhere('retired_at', '<=', now)
    .update({ status: 'retired', updated_at: now });
  await knex(TABLE)
    .where('status', 'next')
    .andWhere('activates_at', '<=', now)
    .andWhere((q) => q.whereNull('retired_at').orWhere('retired_at', '>', now))
    .update({ status: 'active', updated_at: now });
}

/**
 * Sets expires_at = retired_at + `seconds` on retired (or retiring) keys.
 * Only ever moves expires_at later, so replicas configured with different
 * lifetimes converge on the longest and a key is never unpublished early.
 */
export async function settleSigningKeyExpiry(knex: Knex, seconds: number, now: Date): Promise<void> {
  const expiry = knex.raw(`retired_at + (? * interval '1 second')`, [seconds]);
  await knex(TABLE)
    .whereNotNull('retired_at')
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '<', expiry))
    .update({ expires_at: expiry, updated_at: now });
}

/** One row by kid, or undefined. */
export async function findSigningKeyRow(knex: Knex, kid: string): Promise<SigningKeyRow | undefined> {
  return knex<SigningKeyRow>(TABLE).where({ kid }).first();
}

/** Deletes a key outright (revocation): its private part must not survive anywhere. */
export async function deleteSigningKey(knex: Knex, kid: string): Promise<void> {
  await knex(TABLE).where({ kid }).delete();
}

/** Moves a key's activation (and its stored status) to `at`. */
export async function setSigningKeyActivation(knex: Knex, kid: string, at: Date, status: SigningKeyStatus, now: Date): Promise<void> {
  await knex(TABLE).where({ kid }).update({ activates_at: at, status, updated_at: now });
}

/** Sets when a key stops signing (null: never), clearing an expiry settled for the old date. */
export async function setSigningKeyRetirement(knex: Knex, kid: string, at: Date | null, now: Date): Promise<void> {
  await knex(TABLE).where({ kid }).update({ retired_at: at, expires_at: null, updated_at: now });
}

/** Replaces a key's encrypted private part (re-encryption under the newest secret). */
export async function updateSigningKeyCiphertext(knex: Knex, kid: string, privateJwk: string, now: Date): Promise<void> {
  await knex(TABLE).where({ kid }).update({ private_jwk: privateJwk, updated_at: now });
}

/**
 * What the published key set depends on, without key material: it changes
 * whenever a key is added, removed or rescheduled. Cheap enough to ask on
 * every JWKS request; time passing is the watcher's to track (nextChangeAt).
 */
export async function signingKeysState(knex: Knex): Promise<string> {
  const { rows } = (await knex.raw(
    `select coalesce(string_agg(concat_ws(':', kid, alg, activates_at, retired_at, expires_at), ',' order by kid), '') as state from signing_keys`,
  )) as { rows: Array<{ state: string }> };
  return rows[0]?.state ?? '';
}
