import type { Knex } from 'knex';
import { wakeAfterCommit as wakeOutboxAfterCommit } from '../outbox/wake.ts';
import type { Store } from '../store/index.ts';

/**
 * `ssf:events`: "events were enqueued for these streams". The push worker
 * and held long polls, on every replica, wake on it instead of waiting for
 * their timer (src/outbox/wake.ts: sent after the commit, on every
 * registered store).
 */
export const WAKE_CHANNEL = 'ssf:events';

export function wakeAfterCommit(db: Knex, streamIds: readonly string[]): void {
  if (streamIds.length === 0) return;
  wakeOutboxAfterCommit(db, WAKE_CHANNEL, JSON.stringify({ streams: [...new Set(streamIds)] }));
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
