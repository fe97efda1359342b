import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import type { Store } from './store.ts';

export type MemoryStoreOptions = {
  /** Most keys kept; the least recently used go first (a flood of keys cannot grow the heap without bound). */
  maxKeys?: number;
  /** How often expired keys are swept out even if nobody reads them again. */
  purgeIntervalMs?: number;
};

export type MemoryStore = Store & {
  /** Keys held right now, expired ones not yet swept included (tests check the bound and the sweep). */
  size(): number;
};

const DEFAULT_MAX_KEYS = 100_000;
const DEFAULT_PURGE_INTERVAL_MS = 60_000;

/** Single-process store for a laptop with no Redis: bounded, and expired keys are freed. */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  // One sweep timer instead of lru-cache's ttlAutopurge, which arms a timer per key.
  const values = new LRUCache<string, string>({ max: options.maxKeys ?? DEFAULT_MAX_KEYS, ttlAutopurge: false });
  const sweep = setInterval(() => values.purgeStale(), options.purgeIntervalMs ?? DEFAULT_PURGE_INTERVAL_MS);
  sweep.unref();
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  // lru-cache takes a whole number of milliseconds; 0 would mean "never expires".
  const ttl = (seconds: number) => Math.max(1, Math.ceil(seconds * 1000));
  return {
    kind: 'memory',
    size: () => values.size,
    async get(key) {
      return values.get(key);
    },
    async set(key, value, ttlSeconds) {
      values.set(key, value, { ttl: ttl(ttlSeconds) });
    },
    async setIfAbsent(key, value, ttlSeconds) {
      // Checked and set in one synchronous step, so two parallel callers never both win.
      if (values.has(key)) return false;
      values.set(key, value, { ttl: ttl(ttlSeconds) });
      return true;
    },
    async del(key) {
      values.delete(key);
    },
    async publish(channel, message) {
      // Deliver asynchronously, like Redis, so publishers never run subscriber code inline.
      queueMicrotask(() => bus.emit(channel, message));
    },
    async subscribe(channel, handler) {
      bus.on(channel, handler);
      return async () => {
        bus.off(channel, handler);
      };
    },
    async ping() {},
    async close() {
      clearInterval(sweep);
      values.clear();
      bus.removeAllListeners();
    },
  };
}
