import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/knex.ts';
import { assertNoPendingMigrations, migrateLatest, migrateRollback, migrationStatus } from '../src/db/migrate.ts';
import { migrations } from '../src/db/migrations/index.ts';
import { freshPglite } from './support/backends.ts';

const names = migrations.map((m) => m.name);

describe('pending and unknown migrations', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshPglite({ migrate: false });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('status on a fresh database lists everything pending and writes nothing', async () => {
    expect(await migrationStatus(db.knex)).toEqual({ applied: [], pending: names, unknown: [] });
    expect(await db.knex.schema.hasTable('knex_migrations')).toBe(false);
  });

  it('a schema with pending migrations is refused, naming them and the two ways to fix it', async () => {
    const error = await assertNoPendingMigrations(db.knex).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    for (const name of names) expect(message).toContain(name);
    expect(message).toContain('latchkey migrate latest');
    expect(message).toContain('--migrate');
  });

  it('only the migrations still missing are named', async () => {
    await migrateLatest(db.knex);
    await migrateRollback(db.knex); // one batch: everything
    await db.knex.transaction(async (trx) => {
      for (const migration of migrations.slice(0, -1)) await migration.up(trx);
      await trx('knex_migrations').insert(
        migrations.slice(0, -1).map((m) => ({ name: m.name, batch: 1, migration_time: new Date() })),
      );
    });
    const message = await assertNoPendingMigrations(db.knex).then(() => '', (e: Error) => e.message);
    expect(message).toContain(`1 pending migration (${names.at(-1)})`);
    expect(message).not.toContain(names[0]);
    expect(await migrateLatest(db.knex)).toEqual([names.at(-1)]);
    await expect(assertNoPendingMigrations(db.knex)).resolves.toBeUndefined();
  });

  it('a database migrated by a newer Latchkey is refused by start, latest and rollback', async () => {
    await db.knex('knex_migrations').insert({ name: '20991231000000_from_the_future', batch: 2, migration_time: new Date() });
    expect((await migrationStatus(db.knex)).unknown).toEqual(['20991231000000_from_the_future']);
    await expect(assertNoPendingMigrations(db.knex)).rejects.toThrow(/newer version of Latchkey.*20991231000000_from_the_future/);
    await expect(migrateLatest(db.knex)).rejects.toThrow(/newer version of Latchkey/);
    await expect(migrateRollback(db.knex)).rejects.toThrow(/newer version of Latchkey/);
  });
});
