import type { Knex } from 'knex';
import { migrations } from './migrations/index.ts';

export type Migration = Readonly<{
  name: string;
  up: (knex: Knex) => Promise<void>;
  down: (knex: Knex) => Promise<void>;
}>;

const TABLE_NAME = 'knex_migrations';

// Migrations are listed in code (not discovered on disk) so the same list runs
// from source, from a build, and inside the container.
const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration,
};

const config: Knex.MigratorConfig = { migrationSource, tableName: TABLE_NAME };

// Any constant works; it only has to be the same in every process.
export const MIGRATION_LOCK_ID = 0x4c4b4d31; // "LKM1"

/**
 * Runs `work` while holding a Postgres advisory lock, so a second migrator
 * waits for the first (then finds nothing to do) instead of failing on knex's
 * own lock table or racing to create it. The lock is session-level on a
 * dedicated connection, so it is released even if this process dies.
 * PGlite is single-process, so it needs no lock.
 */
async function exclusively<T>(knex: Knex, work: () => Promise<T>): Promise<T> {
  if (knex.client.config.client !== 'pg') return work();
  // The lock holds one connection while knex migrates on another.
  const poolMax = (knex.client.config.pool as { max?: number } | undefined)?.max;
  if (poolMax !== undefined && poolMax < 2) throw new Error('Migrations need a database pool of at least 2 connections');
  const connection = await knex.client.acquireConnection();
  try {
    await knex.raw('select pg_advisory_lock(?)', [MIGRATION_LOCK_ID]).connection(connection);
    try {
      return await work();
    } finally {
      await knex.raw('select pg_advisory_unlock(?)', [MIGRATION_LOCK_ID]).connection(connection);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}

export async function migrateLatest(knex: Knex): Promise<string[]> {
  return exclusively(knex, async () => {
    const status = await migrationStatus(knex);
    assertKnownMigrations(status);
    // Up to date (every start on the embedded database): knex's own run would still take and
    // release its lock table row and list the migrations again, a dozen statements for nothing.
    if (status.pending.length === 0) return [];
    const [, applied] = (await knex.migrate.latest(config)) as [number, string[]];
    return applied;
  });
}

/** Reverts the last batch, or every applied migration with `all`. Returns the names reverted, newest first. */
export async function migrateRollback(knex: Knex, all = false): Promise<string[]> {
  return exclusively(knex, async () => {
    assertKnownMigrations(await migrationStatus(knex));
    const [, reverted] = (await knex.migrate.rollback(config, all)) as [number, string[]];
    return reverted;
  });
}

export type MigrationStatus = {
  applied: string[];
  pending: string[];
  /** Applied in the database but unknown to this build: it was migrated by a newer Latchkey. */
  unknown: string[];
};

/** Reads the state without writing anything (no bookkeeping tables are created). */
export async function migrationStatus(knex: Knex): Promise<MigrationStatus> {
  const names = migrations.map((m) => m.name);
  const hasTable = await knex.schema.hasTable(TABLE_NAME);
  const done: string[] = hasTable
    ? (await knex(TABLE_NAME).select<Array<{ name: string }>>('name').orderBy('id')).map((row) => row.name)
    : [];
  const doneSet = new Set(done);
  const known = new Set(names);
  return {
    applied: done.filter((name) => known.has(name)),
    pending: names.filter((name) => !doneSet.has(name)),
    unknown: done.filter((name) => !known.has(name)),
  };
}

function assertKnownMigrations(status: MigrationStatus): void {
  if (status.unknown.length === 0) return;
  throw new Error(
    `The database was migrated by a newer version of Latchkey (unknown migrations: ${status.unknown.join(', ')}); ` +
      'run that version or a newer one',
  );
}

/**
 * For `start` without --migrate: refuses to serve on a schema that does not
 * match this build, naming what is missing and how to fix it.
 */
export async function assertNoPendingMigrations(knex: Knex): Promise<void> {
  const status = await migrationStatus(knex);
  assertKnownMigrations(status);
  const { pending } = status;
  if (pending.length === 0) return;
  throw new Error(
    `The database schema is out of date: ${pending.length} pending migration${pending.length === 1 ? '' : 's'} ` +
      `(${pending.join(', ')}). Run \`latchkey migrate latest\` or start with --migrate`,
  );
}
