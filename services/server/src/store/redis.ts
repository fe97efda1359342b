import { Redis } from 'ioredis';
import type { Store } from './store.ts';

export async function createRedisStore(url: string): Promise<Store> {
  const options = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true } as const;
  const client = new Redis(url, options);
  // A subscribed connection can run no other commands, so pub/sub gets its own.
  const subscriber = new Redis(url, options);
  const handlers = new Map<string, Set<(message: string) => void>>();
  // Connection errors surface through commands (and /readyz); don't crash on the event.
  client.on('error', () => {});
  subscriber.on('error', () => {});
  subscriber.on('message', (channel: string, message: string) => {
    for (const handler of handlers.get(channel) ?? []) handler(message);
  });
  await Promise.all([client.connect(), subscriber.connect()]);

  return {
    kind: 'redis',
    redis: client,
    async get(key) {
      return (await client.get(key)) ?? undefined;
    },
    async set(key, value, ttlSeconds) {
      await client.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    },
    async setIfAbsent(key, value, ttlSeconds) {
      return (await client.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX')) === 'OK';
    },
    async del(key) {
      await client.del(key);
    },
    async publish(channel, message) {
      await client.publish(channel, message);
    },
    async subscribe(channel, handler) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await subscriber.subscribe(channel);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0) {
          handlers.delete(channel);
          await subscriber.unsubscribe(channel);
        }
      };
    },
    async ping() {
      await client.ping();
    },
    async close() {
      await Promise.allSettled([client.quit(), subscriber.quit()]);
    },
  };
}
