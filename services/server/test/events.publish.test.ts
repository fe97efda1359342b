import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/knex.ts';
import { publishAfterCommit, subscribeEvents } from '../src/events/publish.ts';
import { createStore, type Store } from '../src/store/index.ts';
import { backends, realRedisUrl } from './support/backends.ts';

/**
 * user:* / session:* messages go out only once the transaction that made the
 * change has committed, on the in-process store and on real Redis.
 */
const stores: Array<{ name: string; open: () => Promise<Store> }> = [
  { name: 'in-process', open: () => createStore({ redisUrl: undefined }) },
  ...(realRedisUrl ? [{ name: 'redis', open: () => createStore({ redisUrl: realRedisUrl }) }] : []),
];

const cases = backends.flatMap((backend) => stores.map((store) => ({ backend, store, name: `${backend.name} + ${store.name}` })));

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(cases)('publishAfterCommit on $name', ({ backend, store: storeKind }) => {
  let db: Db;
  let store: Store;
  const heard: string[] = [];
  let unsubscribe: () => Promise<void>;

  beforeAll(async () => {
    [db, store] = await Promise.all([backend.open(), storeKind.open()]);
    // Payloads carry a fresh id per test, so messages from other suites on the same Redis never match.
    unsubscribe = await subscribeEvents(store, 'user:updated', ({ userId }) => heard.push(userId));
  });
  afterAll(async () => {
    await unsubscribe?.();
    await store?.close();
    await db?.close();
  });

  const heardWithin = async (id: string, ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (heard.includes(id)) return true;
      await pause(20);
    }
    return heard.includes(id);
  };

  it('publishes after the commit, not while the transaction is open', async () => {
    const id = randomUUID();
    let heardBeforeCommit: boolean | undefined;
    await db.knex.transaction(async (trx) => {
      await trx.raw('select 1');
      publishAfterCommit(trx, store, 'user:updated', { userId: id });
      heardBeforeCommit = await heardWithin(id, 300);
    });
    expect(heardBeforeCommit).toBe(false);
    expect(await heardWithin(id, 3000)).toBe(true);
  });

  it('never publishes for a transaction that threw and rolled back', async () => {
    const id = randomUUID();
    await expect(
      db.knex.transaction(async (trx) => {
        publishAfterCommit(trx, store, 'user:updated', { userId: id });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await heardWithin(id, 500)).toBe(false);
  });

  it('never publishes when Postgres answered COMMIT with ROLLBACK (a failed statement whose error was caught)', async () => {
    const id = randomUUID();
    // knex resolves this transaction; the database rolled it back.
    await db.knex.transaction(async (trx) => {
      publishAfterCommit(trx, store, 'user:updated', { userId: id });
      await trx.raw('select no_such_column').catch(() => {});
    });
    expect(await heardWithin(id, 500)).toBe(false);
  });

  it('a savepoint rolled back drops its messages; a released one waits for the outer commit', async () => {
    const dropped = randomUUID();
    const kept = randomUUID();
    let keptBeforeOuterCommit: boolean | undefined;
    await db.knex.transaction(async (trx) => {
      await trx
        .transaction(async (inner) => {
          publishAfterCommit(inner, store, 'user:updated', { userId: dropped });
          throw new Error('inner rollback');
        })
        .catch(() => {});
      await trx.transaction(async (inner) => {
        publishAfterCommit(inner, store, 'user:updated', { userId: kept });
      });
      keptBeforeOuterCommit = await heardWithin(kept, 300);
    });
    expect(keptBeforeOuterCommit).toBe(false);
    expect(await heardWithin(kept, 3000)).toBe(true);
    expect(heard).not.toContain(dropped);
  });

  it('outside a transaction the work is already committed, so it publishes straight away', async () => {
    const id = randomUUID();
    publishAfterCommit(db.knex, store, 'user:updated', { userId: id });
    expect(await heardWithin(id, 3000)).toBe(true);
  });
});
