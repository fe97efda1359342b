import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createDb } from '../src/db/knex.ts';
import { MIGRATION_LOCK_ID, migrateLatest, migrationStatus } from '../src/db/migrate.ts';
import { migrations } from '../src/db/migrations/index.ts';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { dumpSchema } from './support/schema-dump.ts';

const names = migrations.map((m) => m.name);
const migrator = fileURLToPath(new URL('./support/run-migrate-latest.ts', import.meta.url));

function runMigrator(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', migrator, url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function referenceSchema(): Promise<string[]> {
  const reference = await freshPostgres();
  try {
    return await dumpSchema(reference.knex);
  } finally {
    await reference.close();
  }
}

describe.skipIf(!realDatabaseUrl)('two migrators at once on real Postgres', () => {
  it('two processes: both succeed, exactly one applies, the schema is complete', async () => {
    const db = await freshPostgres({ migrate: false });
    // Hold the migration lock so both processes are provably inside migrateLatest,
    // queued on the same lock, before either can start: a real race, every run.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
      const runs = [runMigrator(db.url), runMigrator(db.url)];
      await waitFor(async () => {
        const { rows } = await holder.query(
          `select count(*)::int as waiting from pg_locks
           where locktype = 'advisory' and objid = $1 and not granted
             and database = (select oid from pg_database where datname = current_database())`,
          [MIGRATION_LOCK_ID],
        );
        return rows[0].waiting === 2;
      }, 20_000);
      await holder.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);

      const results = await Promise.all(runs);
      for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
      const applied = results.map((r) => (JSON.parse(r.stdout) as { applied: string[] }).applied);
      expect(applied.map((a) => a.length).sort()).toEqual([0, names.length]);
      expect(applied.find((a) => a.length > 0)).toEqual(names);

      const { rows } = await db.knex.raw('select name, batch from knex_migrations order by id');
      expect(rows).toEqual(names.map((name) => ({ name, batch: 1 })));
      expect(await migrationStatus(db.knex)).toEqual({ applied: names, pending: [], unknown: [] });
      expect(await dumpSchema(db.knex)).toEqual(await referenceSchema());
    } finally {
      await holder.end();
      await db.close();
    }
  }, 60_000);

  // Without the lock about one race in three fails (both create knex_migrations); a few rounds catch it.
  it('pairs of processes started together, no lock held: every run succeeds, exactly one applies', async () => {
    for (let round = 0; round < 4; round++) {
      const db = await freshPostgres({ migrate: false });
      try {
        const results = await Promise.all([runMigrator(db.url), runMigrator(db.url)]);
        for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
        const applied = results.map((r) => (JSON.parse(r.stdout) as { applied: string[] }).applied);
        expect(applied.map((a) => a.length).sort()).toEqual([0, names.length]);
        const { rows } = await db.knex.raw('select count(*)::int as n from knex_migrations');
        expect(rows[0].n).toBe(names.length);
      } finally {
        await db.close();
      }
    }
  }, 90_000);

  it('two knex instances in one process: both succeed, exactly one applies', async () => {
    const db = await freshPostgres({ migrate: false });
    const a = await createDb({ databaseUrl: db.url });
    const b = await createDb({ databaseUrl: db.url });
    try {
      const applied = await Promise.all([migrateLatest(a.knex), migrateLatest(b.knex)]);
      expect(applied.map((list) => list.length).sort()).toEqual([0, names.length]);
      const { rows } = await db.knex.raw('select count(*)::int as n from knex_migrations');
      expect(rows[0].n).toBe(names.length);
    } finally {
      await a.close();
      await b.close();
      await db.close();
    }
  });
});
