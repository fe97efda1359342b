import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, type MemoryStore } from './memory.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('in-process store', () => {
  let store: MemoryStore | undefined;
  afterEach(() => store?.close());

  it('frees expired keys even when nobody reads them again', async () => {
    store = createMemoryStore({ purgeIntervalMs: 20 });
    for (let i = 0; i < 50; i += 1) await store.set(`challenge:${i}`, 'x', 0.05);
    await store.set('kept', 'y', 60);
    expect(store.size()).toBe(51);
    await sleep(200);
    expect(store.size()).toBe(1);
    expect(await store.get('challenge:0')).toBeUndefined();
    expect(await store.get('kept')).toBe('y');
  });

  it('stays bounded under a flood of keys, dropping the least recently used', async () => {
    store = createMemoryStore({ maxKeys: 100 });
    await store.set('hot', 'h', 60);
    for (let i = 0; i < 1000; i += 1) {
      await store.set(`ratelimit:${i}`, String(i), 60);
      if (i % 50 === 0) await store.get('hot'); // in use, so not the one evicted
    }
    expect(store.size()).toBe(100);
    expect(await store.get('ratelimit:999')).toBe('999');
    expect(await store.get('ratelimit:0')).toBeUndefined();
    expect(await store.get('hot')).toBe('h');
  });

  it('setIfAbsent: of parallel callers exactly one wins; an expired key can be claimed again', async () => {
    store = createMemoryStore();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store!.setIfAbsent('once', String(i), 0.05)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.setIfAbsent('once', 'late', 60)).toBe(false);
    await sleep(80);
    expect(await store.setIfAbsent('once', 'again', 60)).toBe(true);
    expect(await store.get('once')).toBe('again');
  });

  it('keeps values until their TTL and deletes on request', async () => {
    store = createMemoryStore();
    await store.set('k', 'v', 60);
    expect(await store.get('k')).toBe('v');
    await store.del('k');
    expect(await store.get('k')).toBeUndefined();
  });
});
