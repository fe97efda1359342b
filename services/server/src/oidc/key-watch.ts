import type { Db } from '../db/knex.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { signingKeysState } from '../db/signing-keys.ts';
import { loadSigningKeys, type LoadedSigningKeys } from './keys.ts';

export type KeyWatchLogger = { error: (details: Record<string, unknown>, message: string) => void };

/**
 * Polls the key set every `intervalMs` (and right when a known transition is
 * due) and calls `onChange` when the fingerprint differs from the last one
 * handed out. `since` is the fingerprint the caller already runs with; without
 * it the first successful load is reported. Errors are logged, never thrown;
 * a failed onChange is retried on the next poll. Returns stop().
 */
export function watchSigningKeys({
  db,
  keyring,
  intervalMs,
  maxTokenTtlSeconds,
  onChange,
  logger = { error: (details, message) => console.error(message, details) },
  since,
  clock = () => new Date(),
}: {
  db: Db;
  keyring: Keyring;
  intervalMs: number;
  maxTokenTtlSeconds: number;
  onChange: (result: LoadedSigningKeys) => void | Promise<void>;
  logger?: KeyWatchLogger;
  since?: string;
  clock?: () => Date;
}): KeyWatch {
  let fingerprint = since;
  /** The table state the current keys were loaded from (undefined: load on the next tick). */
  let settledState: string | undefined;
  let nextChangeAt: Date | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  /** refresh() callers, answered when a load that started after their call has finished. */
  let waiting: Array<() => void> = [];

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(tick, Math.max(0, delayMs));
    // Never keep the process alive just to watch keys.
    timer.unref();
  };

  async function tick() {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = true;
    const answered = waiting;
    waiting = [];
    let delay = intervalMs;
    try {
      const now = clock();
      // A full load decrypts every key and settles statuses (writes); skip it
      // while nothing changed in the table and no transition fell due.
      const state = await signingKeysState(db.knex);
      const due = nextChangeAt !== null && now >= nextChangeAt;
      if (state !== settledState || due) {
        settledState = undefined;
        const result = await loadSigningKeys({ db, keyring, now, maxTokenTtlSeconds });
        nextChangeAt = result.nextChangeAt;
        if (!stopped && result.fingerprint !== fingerprint) {
          await onChange(result);
          fingerprint = result.fingerprint;
        }
        settledState = state;
      }
      if (nextChangeAt) {
        // Wake just after the transition so replicas switch together, not up to intervalMs late.
        delay = Math.min(delay, nextChangeAt.getTime() - now.getTime() + 50);
      }
    } catch (error) {
      logger.error({ err: error }, 'signing key refresh failed; keeping the current keys');
    }
    running = false;
    for (const answer of answered) answer();
    // A refresh asked for while this one ran may have missed the change that prompted it.
    if (again) delay = 0;
    again = false;
    if (timer) clearTimeout(timer);
    schedule(delay);
  }

  schedule(0);
  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    for (const answer of waiting.splice(0)) answer();
  };
  return Object.assign(stop, {
    refresh: () =>
      new Promise<void>((resolve) => {
        if (stopped) return resolve();
        waiting.push(resolve);
        if (timer) clearTimeout(timer);
        void tick();
      }),
  });
}

/**
 * Stops the watcher when called; `refresh()` reloads now (e.g. when another
 * process revoked a key) and resolves once a load that started after the call
 * has finished (concurrent calls share loads; errors are logged, never thrown).
 */
export type KeyWatch = (() => void) & { refresh: () => Promise<void> };
