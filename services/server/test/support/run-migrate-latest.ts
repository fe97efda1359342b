// A separate migrator process for test/migrations.concurrent.test.ts:
// `node run-migrate-latest.ts DATABASE_URL` prints {"applied":[...]}.
import { createDb } from '../../src/db/knex.ts';
import { migrateLatest } from '../../src/db/migrate.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: run-migrate-latest.ts DATABASE_URL');
const db = await createDb({ databaseUrl: url });
try {
  process.stdout.write(`${JSON.stringify({ applied: await migrateLatest(db.knex) })}\n`);
} finally {
  await db.close();
}
