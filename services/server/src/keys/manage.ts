import type { Keyring } from '../crypto/keyring.ts';
import type { Db } from '../db/knex.ts';
import { recordActorEvent, type Actor } from '../events/actor.ts';
import { publishAfterCommit } from '../events/publish.ts';
import { HttpError } from '../http/errors.ts';
import { listSigningKeys, revokeSigningKey, rotateSigningKeys } from '../oidc/keys.ts';
import type { SigningKeyStatus } from '../db/signing-keys.ts';
import type { Store } from '../store/index.ts';

/**
 * Operator actions on the token signing keys: the one implementation behind
 * `latchkey keys list|rotate|revoke` and /api/v1/admin/keys. The lifecycle
 * itself is src/oidc/keys.ts; this adds the audit event (same transaction)
 * and tells every replica to reload its key set once the change committed.
 */

export type KeyActor = Actor;
export type KeyDeps = { db: Db; keyring: Keyring; store: Store };

/** What callers see of a key: status and dates, never key material. */
export type KeyView = {
  kid: string;
  alg: string;
  status: SigningKeyStatus;
  published: boolean;
  activates_at: string;
  retired_at: string | null;
  expires_at: string | null;
};

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export async function listKeys(deps: Pick<KeyDeps, 'db'>): Promise<KeyView[]> {
  return (await listSigningKeys({ db: deps.db })).map((key) => ({
    kid: key.kid,
    alg: key.alg,
    status: key.status,
    published: key.published,
    activates_at: key.activates_at.toISOString(),
    retired_at: iso(key.retired_at),
    expires_at: iso(key.expires_at),
  }));
}

export type RotatedKey = { kid: string; alg: string; activates_at: string };

/** Adds the next key of every alg (published now; signing after the propagation delay, or at once with `immediate`). */
export async function rotateKeys(deps: KeyDeps, options: { actor: KeyActor; immediate?: boolean }): Promise<RotatedKey[]> {
  const immediate = options.immediate === true;
  const { rotated } = await rotateSigningKeys({
    db: deps.db,
    keyring: deps.keyring,
    immediate,
    record: async (trx, added) => {
      for (const key of added) {
        await recordActorEvent(trx, options.actor, {
          type: 'signing_key.rotated',
          subject: { type: 'signing_key', id: key.kid },
          data: { alg: key.alg, activates_at: key.activates_at.toISOString(), immediate },
        });
      }
      publishAfterCommit(trx, deps.store, 'signing-keys:changed', { reason: 'rotated' });
    },
  });
  return rotated.map((key) => ({ kid: key.kid, alg: key.alg, activates_at: key.activates_at.toISOString() }));
}

export type RevokedKey = {
  kid: string;
  alg: string;
  /** Its status when revoked. */
  was: SigningKeyStatus;
  /** The key that signs for its alg from now on, when the revoked one was signing. */
  active: { kid: string; created: boolean } | null;
};

/** Removes a compromised key from every replica's JWKS at once; tokens it signed stop verifying. 404 for an unknown kid. */
export async function revokeKey(deps: KeyDeps, kid: string, options: { actor: KeyActor }): Promise<RevokedKey> {
  const revoked = await revokeSigningKey({
    db: deps.db,
    keyring: deps.keyring,
    kid,
    record: async (trx, result) => {
      await recordActorEvent(trx, options.actor, {
        type: 'signing_key.revoked',
        subject: { type: 'signing_key', id: result.kid },
        data: { alg: result.alg, was: result.was, replaced_by: result.replacedBy?.kid ?? null },
      });
      publishAfterCommit(trx, deps.store, 'signing-keys:changed', { reason: 'revoked' });
    },
  });
  if (!revoked) throw new HttpError(404, 'not_found', `no signing key with kid ${kid}`);
  return { kid: revoked.kid, alg: revoked.alg, was: revoked.was, active: revoked.replacedBy ?? null };
}
