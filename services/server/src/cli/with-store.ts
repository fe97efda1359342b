import { registerWakeStore } from '../outbox/wake.ts';
import { createStore, type Store } from '../store/index.ts';
import type { CliContext } from './context.ts';

/**
 * Runs `work` with the deployment's store, so running replicas hear about a
 * change (Redis pub/sub: reload keys, drop a cached client) at once. Without
 * REDIS_URL there is no channel: they notice by polling or cache expiry.
 */
export async function withStore<T>(ctx: CliContext, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await createStore({ redisUrl: ctx.config().redisUrl });
  // What the work puts in an outbox (a logout, a security event) wakes the servers' workers and long polls.
  const unregister = registerWakeStore(store);
  try {
    return await work(store);
  } finally {
    unregister();
    await store.close();
  }
}
