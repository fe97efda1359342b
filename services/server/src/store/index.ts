import { createMemoryStore } from './memory.ts';
import { createRedisStore } from './redis.ts';
import type { Store } from './store.ts';

export type { Store } from './store.ts';

export function createStore(options: { redisUrl: string | undefined }): Promise<Store> {
  return options.redisUrl ? createRedisStore(options.redisUrl) : Promise.resolve(createMemoryStore());
}
