import type { Knex } from 'knex';
import { migrations } from './migrations/index.ts';

export type Migration = Readonly<{
  name: string;
  up: (knex: Knex) => Promise<void>;
  down: (knex: Knex) => Promise<void>;
}>;

// Migrations are listed in code (not discovered on disk) so the same list runs
// from source, from a build, and inside the container.
const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => migration,
};

const config: Knex.MigratorConfig = { migrationSource, tableName: 'knex_migrations' };

// Any constant works; it only has to be the same in every process.
const MIGRATION_LOCK_ID = 0x4c4b4d31; // "LKM1"

/**
 * Runs `work` while holding a Postgres advisory lock, so a second migrator
 * waits for the first instead of failing on knex's own lock table.
 * PGlite is single-process, so it needs no lock.
 */
async function exclusively<T>(knex: Knex, work: () => Promise<T>): Promise<T> {
  if (knex.client.config.client !== 'pg') return work();
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
    const [, applied] = (await knex.migrate.latest(config)) as [number, string[]];
    return applied;
  });
}

export async function migrateRollback(knex: Knex, all = false): Promise<string[]> {
  return exclusively(knex, async () => {
    const [, reverted] = (await knex.migrate.rollback(config, all)) as [number, string[]];
    return reverted;
  });
}

export type MigrationStatus = { applied: string[]; pending: string[] };

export async function migrationStatus(knex: Knex): Promise<MigrationStatus> {
  const [done, pending] = (await knex.migrate.list(config)) as [Array<{ name: string }>, Migration[]];
  return { applied: done.map((m) => m.name), pending: pending.map((m) => m.name) };
}
