import { describe, expect, it } from 'vitest';
import { turnBatch } from '../src/db/turn-batch.ts';

/**
 * A batch the database could not run at all fails every caller at once; only
 * a batch refused for its contents is retried item by item (one bad row must
 * not fail the others). Retrying an unavailable database once per item made
 * the last of a burst wait out the pool's acquire timeout once per item
 * (faults.postgres-slow: 18 s against a bound of 10).
 */
describe('turn batches when the database cannot answer', () => {
  const burst = async (error: Error) => {
    let singles = 0;
    const call = turnBatch<number, number>(
      async () => {
        throw error;
      },
      async (item) => {
        singles += 1;
        return item;
      },
    );
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => call(n)));
    return { results, singles };
  };

  it('no connection within the acquire timeout: all five callers get that error, nothing is retried', async () => {
    const timeout = Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' });
    const { results, singles } = await burst(timeout);
    expect(singles).toBe(0);
    expect(results.every((r) => r.status === 'rejected' && r.reason === timeout)).toBe(true);
  });

  it('a batch refused for its contents is still retried item by item', async () => {
    const { results, singles } = await burst(Object.assign(new Error('date/time field value out of range'), { code: '22008' }));
    expect(singles).toBe(5);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason))).toEqual([1, 2, 3, 4, 5]);
  });
});
