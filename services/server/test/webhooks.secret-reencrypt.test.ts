import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import { createDb, type Db } from '../src/db/knex.ts';
import { migrateLatest } from '../src/db/migrate.ts';
import { createWebhook, rotateWebhookSecret } from '../src/webhooks/manage.ts';
import { openSecret } from '../src/webhooks/secret.ts';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { runCli } from './support/process.ts';

const OPERATOR = { actorType: 'operator' as const, actorId: 'test' };

// `latchkey keys re-encrypt` moves webhook secrets to the newest root secret, so the old one can be dropped.
describe(`latchkey keys re-encrypt: webhook secrets (${realDatabaseUrl ? 'postgres' : 'pglite'})`, () => {
  let env: Record<string, string>;
  let withDb: <T>(read: (db: Db) => Promise<T>) => Promise<T>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (realDatabaseUrl) {
      const db = await freshPostgres();
      env = { DATABASE_URL: db.url };
      withDb = (read) => read(db);
      cleanup = () => db.close();
    } else {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-webhook-reencrypt-'));
      env = { LATCHKEY_DATA_DIR: dataDir };
      withDb = async (read) => {
        const db = await createDb({ dataDir });
        try {
          await migrateLatest(db.knex);
          return await read(db);
        } finally {
          await db.close();
        }
      };
      cleanup = () => rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
  afterAll(() => cleanup?.());

  it('re-wraps the secret and the previous one under the new root secret; the old root secret is then not needed', async () => {
    const [oldRoot, newRoot] = [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')];
    const secrets = await withDb(async (db) => {
      const deps = { knex: db.knex, keyring: new Keyring([oldRoot]) };
      const created = await createWebhook(deps, { url: 'https://hooks.example.com/x', event_types: ['user.created'] }, OPERATOR);
      if ('problem' in created) throw new Error('not created');
      const rotated = await rotateWebhookSecret(deps, created.webhook.id, OPERATOR);
      if ('problem' in rotated) throw new Error('not rotated');
      return { previous: created.secret, current: rotated.secret };
    });

    const first = await runCli(['keys', 're-encrypt', '--json'], { ...env, LATCHKEY_SECRETS: `${newRoot},${oldRoot}` });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).webhook_secrets).toEqual({ reencrypted: 1, total: 1 });
    const again = await runCli(['keys', 're-encrypt', '--json'], { ...env, LATCHKEY_SECRETS: `${newRoot},${oldRoot}` });
    expect(JSON.parse(again.stdout).webhook_secrets).toEqual({ reencrypted: 0, total: 1 });

    await withDb(async (db) => {
      const row = await db.knex('webhooks').first();
      const alone = new Keyring([newRoot]);
      expect(openSecret(alone, row.secret)).toBe(secrets.current);
      expect(openSecret(alone, row.previous_secret)).toBe(secrets.previous);
      const audit = await db.knex('audit_events').where({ type: 'secrets.reencrypted' }).first();
      expect(audit.data).toMatchObject({ webhook_secrets: 1 });
    });
  }, 60_000);
});
