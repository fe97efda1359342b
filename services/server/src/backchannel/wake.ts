import type { Knex } from 'knex';
import { enqueueClientLogout, enqueueSessionLogouts } from '../db/backchannel-logouts.ts';
import { wakeAfterCommit as wakeOutboxAfterCommit } from '../outbox/wake.ts';
import type { Store } from '../store/index.ts';

/**
 * `backchannel:logouts`: "logouts were enqueued". The worker on every
 * replica wakes on it instead of waiting for its timer, so a logout leaves
 * within milliseconds of the commit (src/outbox/wake.ts: sent after the
 * commit, on every registered store).
 */
export const LOGOUTS_CHANNEL = 'backchannel:logouts';

function wakeAfterCommit(db: Knex, enqueued: number): void {
  if (enqueued > 0) wakeOutboxAfterCommit(db, LOGOUTS_CHANNEL, '1');
}

/** One row per client of the ended session with a back-channel logout URI, in `trx`; the workers wake after its commit. */
export async function enqueueSessionLogoutsAndWake(trx: Knex, sessionUid: string): Promise<void> {
  wakeAfterCommit(trx, await enqueueSessionLogouts(trx, sessionUid));
}

/** One client's logout (RP-initiated logout); the workers wake once it is written. */
export async function enqueueClientLogoutAndWake(db: Knex, input: Parameters<typeof enqueueClientLogout>[1]): Promise<void> {
  wakeAfterCommit(db, await enqueueClientLogout(db, input));
}

/** Calls `handler` whenever logouts were enqueued on any replica. */
export function onLogoutsEnqueued(store: Store, handler: () => void): Promise<() => Promise<void>> {
  return store.subscribe(LOGOUTS_CHANNEL, () => handler());
}
