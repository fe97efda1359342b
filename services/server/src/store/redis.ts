import { Redis, type RedisOptions } from 'ioredis';
import type { Store } from './store.ts';

/**
 * Redis holds only what may be lost, so when it is unreachable a command
 * fails at once (the callers fall back: rate limits count per process,
 * caches read Postgres) instead of waiting in a queue for a reconnect that
 * may take seconds: no offline queue, no per-request retries, and a command
 * that gets no answer (a hung or partitioned Redis) gives up after
 * COMMAND_TIMEOUT_MS. Reconnection goes on in the background, at most a
 * second apart, and the same process uses Redis again once it is back.
 */
const COMMAND_TIMEOUT_MS = 500;
const OPTIONS: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: 2_000,
  retryStrategy: (times) => Math.min(times * 100, 1_000),
};

/**
 * A command that timed out means the connection is no longer answering:
 * drop it and reconnect, so the commands after it fail at once (the
 * connection is not ready until Redis answers the ready check again) rather
 * than each waiting out its own timeout.
 */
class FailFastRedis extends Redis {
  override sendCommand(...args: Parameters<Redis['sendCommand']>): Promise<unknown> {
    const pending = super.sendCommand(...args) as Promise<unknown>;
    pending.catch((error: unknown) => {
      if (error instanceof Error && error.message === 'Command timed out' && this.status === 'ready') this.disconnect(true);
    });
    return pending;
  }
}

export async function createRedisStore(url: string): Promise<Store> {
  const client = new FailFastRedis(url, OPTIONS);
  // A subscribed connection can run no other commands, so pub/sub gets its own.
  const subscriber = new FailFastRedis(url, OPTIONS);
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
        try {
          await subscriber.subscribe(channel);
        } catch (error) {
          // Not subscribed: the next call must try again.
          handlers.delete(channel);
          throw error;
        }
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0 && handlers.get(channel) === set) {
          handlers.delete(channel);
          // Once reconnected, ioredis re-subscribes only what is still subscribed.
          await subscriber.unsubscribe(channel).catch(() => {});
        }
      };
    },
    async ping() {
      await client.ping();
    },
    async close() {
      // quit() needs a live connection; a down Redis is just disconnected.
      await Promise.allSettled([client, subscriber].map((c) => (c.status === 'ready' ? c.quit() : c.disconnect())));
    },
  };
}
