import { registerLogoutWakeStore } from '../backchannel/wake.ts';
import { createStore, type Store } from '../store/index.ts';
import type { CliContext } from './context.ts';

/**
 * Runs `work` with the deployment's store, so running replicas hear about a
 * change (Redis pub/sub: reload keys, drop a cached client) at once. Without
 * REDIS_URL there is no channel: they notice by polling or cache expiry.
 */
export async function withStore<T>(ctx: CliContext, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await createStore({ redisUrl: ctx.config().redisUrl });
  // Logouts the work enqueues (a session revoked here) wake the servers' back-channel workers.
  const unregister = registerLogoutWakeStore(store);
  try {
    return await work(store);
  } finally {
    unregister();
    await store.close();
  }
}
