import type { Knex } from 'knex';
import { afterCommit } from '../events/after-commit.ts';
import type { Store } from '../store/index.ts';

/**
 * Outbox rows are written deep inside a change's transaction (session
 * revocation, recordAuditEvent), where no store is at hand. Each process that
 * makes changes — a server, or a CLI command with Redis — registers its store
 * here once; a wake-up goes out on all of them after the commit (never for
 * rolled-back work), so the delivery workers and held long polls on every
 * replica act at once instead of at their next timer.
 */
const stores = new Set<Store>();

export function registerWakeStore(store: Store): () => void {
  stores.add(store);
  return () => {
    stores.delete(store);
  };
}

export function wakeAfterCommit(db: Knex, channel: string, message: string): void {
  afterCommit(db, () => {
    for (const store of stores) store.publish(channel, message).catch(() => {});
  });
}
