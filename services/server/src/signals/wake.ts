import type { Knex } from 'knex';
import { afterCommit } from '../events/after-commit.ts';
import type { Store } from '../store/index.ts';

/**
 * `ssf:events`: "events were enqueued for these streams". The push worker
 * and held long polls, on every replica, wake on it instead of waiting for
 * their timer. Enqueueing happens in recordAuditEvent, which has only the
 * transaction, so each running server registers its store here; the message
 * goes out once the transaction commits (never for rolled-back work).
 */
export const WAKE_CHANNEL = 'ssf:events';

const stores = new Set<Store>();

export function registerWakeStore(store: Store): () => void {
  stores.add(store);
  return () => {
    stores.delete(store);
  };
}

export function wakeAfterCommit(db: Knex, streamIds: readonly string[]): void {
  if (streamIds.length === 0) return;
  afterCommit(db, () => {
    const message = JSON.stringify({ streams: [...new Set(streamIds)] });
    for (const store of stores) store.publish(WAKE_CHANNEL, message).catch(() => {});
  });
}

/** Listens for wake-ups; `handler` gets the stream ids (malformed messages are ignored). */
export function onWake(store: Store, handler: (streamIds: string[]) => void): Promise<() => Promise<void>> {
  return store.subscribe(WAKE_CHANNEL, (message) => {
    try {
      const parsed = JSON.parse(message) as { streams?: unknown };
      if (Array.isArray(parsed.streams)) handler(parsed.streams.filter((id): id is string => typeof id === 'string'));
    } catch {
      // Not ours.
    }
  });
}
