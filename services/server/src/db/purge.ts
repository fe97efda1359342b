import type { Db } from './knex.ts';
import { modelTables } from './oidc-models.ts';

/**
 * Deletes expired short-lived rows (oidc-provider's, emailed codes, passkey
 * challenges). Small batches, each its own short
 * statement, so the purge never holds many row locks or blocks the token
 * endpoint; `skip locked` lets several replicas purge side by side.
 */

export type PurgeLogger = {
  info: (details: object, message: string) => void;
  error: (details: object, message: string) => void;
};

export type PurgeOptions = { intervalMs: number; batchSize: number; logger?: PurgeLogger };

// Each has an `id` and an indexed `expires_at`; a consumed code is kept until it expires, like a consumed token.
const tables = [...new Set(Object.values(modelTables).map(({ table }) => table)), 'verification_codes', 'webauthn_challenges'];

async function purgeTable(db: Db, table: string, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const result = (await db.knex.raw(
      `delete from ${table} where id in (
        select id from ${table} where expires_at < now() limit ? for update skip locked)`,
      [batchSize],
    )) as { rowCount: number | null };
    const deleted = result.rowCount ?? 0;
    total += deleted;
    if (deleted < batchSize) return total;
    // Let other work on the (possibly single) connection run between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** One pass over every model table; returns the rows deleted per table (only tables with deletions). */
export async function purgeOnce(db: Db, batchSize: number): Promise<Record<string, number>> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('batchSize must be a positive integer');
  const deleted: Record<string, number> = {};
  for (const table of tables) {
    const count = await purgeTable(db, table, batchSize);
    if (count > 0) deleted[table] = count;
  }
  return deleted;
}

/** Purges now and then every `intervalMs`; the returned function stops it and waits for a running pass. */
export function startPurge(db: Db, { intervalMs, batchSize, logger }: PurgeOptions): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const pass = async () => {
    try {
      const deleted = await purgeOnce(db, batchSize);
      if (Object.keys(deleted).length > 0) logger?.info({ deleted }, 'expired rows purged');
    } catch (error) {
      logger?.error({ err: error }, 'purge of expired rows failed; retrying next interval');
    }
  };
  const schedule = () => {
    if (stopped) return;
    // setTimeout after each pass (not setInterval) so passes never overlap.
    timer = setTimeout(() => {
      running = pass().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  running = pass().finally(schedule);

  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await running;
  };
}
