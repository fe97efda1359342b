import type { Knex } from 'knex';
import type { Store } from '../store/index.ts';
import { isSessionLive } from './rows.ts';

/**
 * Seed 004's `session:valid:{id}` cache (id = the session's uid), for checks
 * that do not go through oidc-provider's adapter (which always reads
 * Postgres). Postgres is the truth; the cache lives five minutes.
 *
 * Revocation writes a "revoked" tombstone instead of only deleting the key:
 * a check that read Postgres just before the revocation committed could
 * otherwise put "active" back for five minutes. Checks only ever fill an
 * empty key (SET NX), so they can never overwrite the tombstone.
 */
export const VALIDITY_TTL_SECONDS = 5 * 60;

export const validityKey = (uid: string) => `session:valid:${uid}`;

export async function isSessionActive(deps: { knex: Knex; store: Store }, uid: string): Promise<boolean> {
  const cached = await deps.store.get(validityKey(uid)).catch(() => undefined);
  if (cached === 'active') return true;
  if (cached === 'revoked') return false;
  const live = await isSessionLive(deps.knex, uid);
  // Only a live answer is worth caching; the rare miss just reads Postgres again.
  if (live) await deps.store.setIfAbsent(validityKey(uid), 'active', VALIDITY_TTL_SECONDS).catch(() => {});
  return live;
}

/** After a revocation commits: the tombstone (every replica's next check says no). */
export async function markRevoked(store: Store, uid: string): Promise<void> {
  await store.set(validityKey(uid), 'revoked', VALIDITY_TTL_SECONDS);
}
