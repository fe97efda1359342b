import { LRUCache } from 'lru-cache';

/**
 * How long a cached client or API resource may be served without asking
 * Postgres. This is the bound on how long a change can go unseen where no
 * message arrives (the CLI on embedded defaults has no channel to the
 * server; pub/sub is best effort): a deleted client is refused everywhere
 * within it. Changes made through a replica also drop the entry at once on
 * every replica (`clients:changed`, `resources:changed`).
 */
export const METADATA_TTL_MS = 500;

type Entry<V> = { value: V | undefined };

/**
 * Rows read on every token request, kept in process for METADATA_TTL_MS.
 * Concurrent misses for one key share one query; a load that started before
 * an invalidation is not cached, so it cannot put an old row back.
 */
export function metadataCache<V extends object>(load: (key: string) => Promise<V | undefined>, max = 5000) {
  const cache = new LRUCache<string, Entry<V>>({ max, ttl: METADATA_TTL_MS, ttlAutopurge: false });
  const loading = new Map<string, Promise<V | undefined>>();
  let generation = 0;

  return {
    async get(key: string): Promise<V | undefined> {
      const hit = cache.get(key);
      if (hit) return hit.value;
      let pending = loading.get(key);
      if (!pending) {
        const started = generation;
        pending = load(key)
          .then((value) => {
            if (started === generation) cache.set(key, { value });
            return value;
          })
          .finally(() => loading.delete(key));
        loading.set(key, pending);
      }
      return pending;
    },
    /** Drops one entry, or all of them (an unknown key, or a change that may touch several). */
    invalidate(key?: string): void {
      generation += 1;
      loading.clear();
      if (key === undefined) cache.clear();
      else cache.delete(key);
    },
  };
}

export type MetadataCache<V extends object> = ReturnType<typeof metadataCache<V>>;
