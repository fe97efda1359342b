import type { Knex } from 'knex';

/**
 * Runs code only once a transaction's work is really in the database.
 *
 * knex resolves a transaction even when Postgres answered COMMIT with
 * ROLLBACK (a statement failed and its error was caught), so "the promise
 * resolved" is not proof of a commit: we look at what COMMIT returned. A
 * nested transaction (savepoint) hands its callbacks to its parent on
 * release, so they wait for the outermost commit; a rollback at any level
 * drops them.
 */

type Transaction = Knex.Transaction & { parentTransaction?: Transaction };

const pending = new WeakMap<Transaction, Array<() => void>>();

function committed(result: unknown): boolean {
  const response = result as { command?: string; response?: { command?: string } } | undefined;
  const command = response?.command ?? response?.response?.command;
  return command === 'COMMIT' || command === 'RELEASE';
}

function hook(trx: Transaction): Array<() => void> {
  const callbacks: Array<() => void> = [];
  pending.set(trx, callbacks);
  const commit = trx.commit;
  trx.commit = (async (value?: unknown) => {
    const result = await commit(value);
    if (committed(result)) {
      const parent = trx.parentTransaction;
      for (const callback of callbacks) {
        if (parent) afterCommit(parent, callback);
        else runSafely(callback);
      }
    }
    return result;
  }) as Transaction['commit'];
  return callbacks;
}

// A failing callback must never turn a commit into a rollback attempt.
function runSafely(callback: () => void): void {
  try {
    callback();
  } catch {
    // Callbacks report their own errors; nothing to undo here.
  }
}

/** Calls `callback` after `db` commits; at once (next microtask) when `db` is not a transaction. */
export function afterCommit(db: Knex, callback: () => void): void {
  const trx = db as Transaction;
  if (!trx.isTransaction) {
    queueMicrotask(() => runSafely(callback));
    return;
  }
  if (trx.isCompleted()) throw new Error('afterCommit: the transaction has already finished');
  (pending.get(trx) ?? hook(trx)).push(callback);
}
