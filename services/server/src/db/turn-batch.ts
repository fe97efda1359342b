import { isDatabaseUnavailable } from './unavailable.ts';

/**
 * Calls made in the same turn of the event loop, run as one statement.
 *
 * Under load, tens of token requests reach the database in the same turn;
 * one multi-row INSERT (one commit) or one `id = any(…)` SELECT for all of
 * them costs Postgres and the driver a fraction of one statement each. A
 * batch is sent at the end of the turn that queued it (setImmediate), never
 * after a timer, so a lone request is not delayed.
 *
 * `run` answers the batch in item order. When it fails, each item is retried
 * alone (`single`), one after the other in the order they came, so one bad
 * item fails only its own caller: a failed statement wrote nothing, so
 * nothing is written twice. `run` may refuse a batch it cannot do in one
 * statement (two writes of one row) by throwing. A batch the database could
 * not run at all (down, too slow, no connection within the acquire timeout)
 * fails every item at once with that error: retried one by one, the last
 * caller would wait out the timeout once per item before its 503.
 */
export function turnBatch<T, R>(run: (items: readonly T[]) => Promise<readonly R[]>, single: (item: T) => Promise<R>): (item: T) => Promise<R> {
  let queue: Array<{ item: T; resolve: (value: R) => void; reject: (error: unknown) => void }> = [];

  const flush = async () => {
    const batch = queue;
    queue = [];
    if (batch.length === 1) {
      const [only] = batch;
      single(only!.item).then(only!.resolve, only!.reject);
      return;
    }
    try {
      const results = await run(batch.map((entry) => entry.item));
      batch.forEach((entry, i) => entry.resolve(results[i]!));
    } catch (error) {
      if (isDatabaseUnavailable(error)) for (const entry of batch) entry.reject(error);
      else for (const entry of batch) await single(entry.item).then(entry.resolve, entry.reject);
    }
  };

  return (item: T) =>
    new Promise<R>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ item, resolve, reject });
    });
}
