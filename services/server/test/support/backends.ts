import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import knexFactory from 'knex';
import { createDb, type Db } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/migrate.ts';

/**
 * The storage backends a suite runs on: PGlite always, real Postgres when
 * LATCHKEY_TEST_DATABASE_URL is set (CI sets it). Each call gives a fresh,
 * migrated, empty database so suites never see each other's rows.
 */
export type Backend = { name: 'pglite' | 'postgres'; open: () => Promise<Db> };

export const realDatabaseUrl = process.env.LATCHKEY_TEST_DATABASE_URL || undefined;
export const realRedisUrl = process.env.LATCHKEY_TEST_REDIS_URL || undefined;

/** A brand-new database on the real server; dropped when the returned Db closes. */
export async function freshPostgres(options: { migrate?: boolean } = {}): Promise<Db & { url: string }> {
  if (!realDatabaseUrl) throw new Error('LATCHKEY_TEST_DATABASE_URL is not set');
  const name = `latchkey_test_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: realDatabaseUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  const url = new URL(realDatabaseUrl);
  url.pathname = `/${name}`;
  const db = await createDb({ databaseUrl: url.toString() });
  if (options.migrate !== false) await migrateLatest(db.knex);
  return {
    ...db,
    url: url.toString(),
    close: async () => {
      await db.close();
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    },
  };
}

export async function freshPglite(options: { migrate?: boolean } = {}): Promise<Db> {
  const pglite = await PGlite.create();
  const db = await createDb({ pglite });
  if (options.migrate !== false) await migrateLatest(db.knex);
  return { ...db, close: () => pglite.close() };
}

export const backends: Backend[] = [
  { name: 'pglite', open: () => freshPglite() },
  ...(realDatabaseUrl ? [{ name: 'postgres' as const, open: () => freshPostgres() }] : []),
];
