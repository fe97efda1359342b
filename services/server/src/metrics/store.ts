import type { Store } from '../store/index.ts';
import type { Metrics } from './registry.ts';

/**
 * Whether this replica's Redis connection is up (1) or not (0), read from the
 * client's state at scrape time: no round trip, so a scrape never waits on a
 * hung Redis. Absent with the in-process store.
 */
export function observeStore(store: Store, metrics: Metrics): void {
  const { redis } = store;
  if (!redis) return;
  metrics.gauge('latchkey_redis_up', 'Whether the Redis connection is ready (1) or not (0)', [], (gauge) => {
    gauge.set(redis.status === 'ready' ? 1 : 0);
  });
}
