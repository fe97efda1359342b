import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/db/knex.ts';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { runCli } from './support/process.ts';

// On PostgreSQL when CI provides one; otherwise on the embedded database, read once the CLI has let go of it.
describe(`latchkey clients: every change is an audit event naming the operator (${realDatabaseUrl ? 'postgres' : 'pglite'})`, () => {
  let env: Record<string, string>;
  let withDb: <T>(read: (db: Db) => Promise<T>) => Promise<T>;
  let cleanup: () => Promise<void>;
  const cli = (...args: string[]) => runCli([...args, '--json'], env);

  beforeAll(async () => {
    const secrets = randomBytes(32).toString('base64url');
    if (realDatabaseUrl) {
      const db = await freshPostgres();
      env = { DATABASE_URL: db.url, LATCHKEY_SECRETS: secrets };
      withDb = (read) => read(db);
      cleanup = () => db.close();
    } else {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-audit-'));
      env = { LATCHKEY_DATA_DIR: dataDir, LATCHKEY_SECRETS: secrets };
      withDb = async (read) => {
        const db = await createDb({ dataDir });
        try {
          return await read(db);
        } finally {
          await db.close();
        }
      };
      cleanup = () => rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
  afterAll(() => cleanup?.());

  const events = (clientId: string) =>
    withDb((db) => db.knex('audit_events').where({ subject_type: 'client', subject_id: clientId }).orderBy('occurred_at'));

  it('records who created and who deleted a client, never its secret; a refused command records nothing', async () => {
    const created = await cli('clients', 'create', '--name', 'Payroll', '--type', 'confidential', '--redirect-uri', 'https://payroll.example.com/cb');
    expect(created.code, created.stderr).toBe(0);
    const { client_id: clientId, client_secret: secret } = JSON.parse(created.stdout) as { client_id: string; client_secret: string };

    const duplicate = await cli('clients', 'create', '--name', 'Payroll', '--type', 'public', '--redirect-uri', 'https://a.example/cb');
    expect(duplicate.code).toBe(2);

    const deleted = await cli('clients', 'delete', 'Payroll');
    expect(deleted.code, deleted.stderr).toBe(0);
    const missing = await cli('clients', 'delete', 'Payroll');
    expect(missing.code).toBe(2);

    const rows = await events(clientId);
    expect(rows.map((row) => row.type)).toEqual(['client.created', 'client.deleted']);
    for (const row of rows) expect(row).toMatchObject({ actor_type: 'operator', actor_id: 'cli', subject_type: 'client', subject_id: clientId, client_id: clientId });
    expect(rows[0].data).toMatchObject({ name: 'Payroll', type: 'confidential', redirect_uris: ['https://payroll.example.com/cb'] });
    expect(rows[1].data).toEqual({ name: 'Payroll' });
    expect(JSON.stringify(rows)).not.toContain(secret);
    const all = await withDb((db) => db.knex('audit_events').whereIn('type', ['client.created', 'client.deleted']).count({ n: '*' }).first());
    expect(Number(all?.n)).toBe(2); // the refused create and delete wrote no event
  }, 60_000);
});
