import { LRUCache } from 'lru-cache';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Window } from './policies.ts';

type Shared = Pick<RateLimiterAbstract, 'penalty'>;
/** `consumed`: the shared count last heard; `sending`: points on their way to it; `pending`: not sent yet. */
type Entry = { pending: number; sending: number; consumed: number; resetAt: number };

/** How often counts made in process are added to the shared (Redis) count. */
export const FLUSH_MS = 50;

/**
 * A per-IP request limit counted in process and added to the shared count
 * in the background, so an allowed request costs no network round trip (the
 * token endpoint's limit, on every token request). Each process refuses as
 * soon as the last shared count it heard of plus what it has counted since
 * reaches the limit, so one replica holds the limit exactly; replicas
 * together may let through what arrives within one flush before they hear
 * of each other. A refused request costs nothing, as with every `requests`
 * limit. When the shared store fails, the local count still holds.
 */
export function backgroundCounter(shared: Shared, window: Window, flushMs = FLUSH_MS) {
  const entries = new LRUCache<string, Entry>({ max: 100_000 });
  let timer: NodeJS.Timeout | undefined;

  const flush = async () => {
    timer = undefined;
    const batch: Array<[string, Entry, number]> = [];
    for (const [key, entry] of entries.entries()) {
      if (entry.pending > 0) {
        batch.push([key, entry, entry.pending]);
        entry.sending += entry.pending;
        entry.pending = 0;
      }
    }
    await Promise.all(
      batch.map(async ([key, entry, points]) => {
        try {
          const res = await shared.penalty(key, points);
          entry.sending -= points;
          heard(entry, res);
        } catch (error) {
          entry.sending -= points;
          // Redis is down: keep counting here; the points stay ours.
          if (isLimiterRes(error)) heard(entry, error);
          else entry.consumed += points;
        }
      }),
    );
  };

  const heard = (entry: Entry, res: RateLimiterRes) => {
    entry.consumed = res.consumedPoints;
    entry.resetAt = Date.now() + res.msBeforeNext;
  };

  return {
    /** Counts one request, or refuses it with how long to wait (ms). */
    consume(key: string): { allowed: true } | { allowed: false; msBeforeNext: number } {
      const now = Date.now();
      let entry = entries.get(key);
      if (!entry || entry.resetAt <= now) {
        entry = { pending: entry?.pending ?? 0, sending: entry?.sending ?? 0, consumed: 0, resetAt: now + window.seconds * 1000 };
        entries.set(key, entry);
      }
      if (entry.consumed + entry.sending + entry.pending + 1 > window.points) return { allowed: false, msBeforeNext: entry.resetAt - now };
      entry.pending += 1;
      timer ??= setTimeout(() => void flush(), flushMs).unref();
      return { allowed: true };
    },
  };
}

const isLimiterRes = (value: unknown): value is RateLimiterRes =>
  typeof value === 'object' && value !== null && 'consumedPoints' in value && 'msBeforeNext' in value;
