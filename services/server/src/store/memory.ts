import { EventEmitter } from 'node:events';
import type { Store } from './store.ts';

/** Single-process store for a laptop with no Redis. Expired keys are dropped when read. */
export function createMemoryStore(): Store {
  const values = new Map<string, { value: string; expiresAt: number }>();
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  return {
    kind: 'memory',
    async get(key) {
      const entry = values.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        values.delete(key);
        return undefined;
      }
      return entry.value;
    },
    async set(key, value, ttlSeconds) {
      values.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    },
    async setIfAbsent(key, value, ttlSeconds) {
      if ((await this.get(key)) !== undefined) return false;
      await this.set(key, value, ttlSeconds);
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
      values.clear();
      bus.removeAllListeners();
    },
  };
}
