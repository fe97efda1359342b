import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/knex.ts';
import { migrateLatest, migrateRollback, migrationStatus } from '../src/db/migrate.ts';
import { migrations } from '../src/db/migrations/index.ts';
import { freshPglite, freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { dumpSchema, tableNames } from './support/schema-dump.ts';

const names = migrations.map((m) => m.name);

// The data model of DESIGN.md: if a migration loses a table, this says which.
const expectedTables = [
  'access_tokens', 'api_resources', 'api_token_owners', 'api_tokens', 'audit_events', 'auth_providers',
  'authorization_codes', 'backchannel_logouts', 'client_credentials', 'clients', 'device_codes', 'grants', 'initial_access_tokens',
  'interactions', 'invitations', 'pushed_authorization_requests', 'recovery_codes', 'refresh_tokens', 'registration_access_tokens',
  'replay_detections', 'scopes', 'sessions', 'signing_keys', 'ssf_outbox', 'ssf_stream_subjects', 'ssf_streams', 'users', 'verification_codes',
  'webauthn_challenges', 'webauthn_credentials', 'webhook_deliveries', 'webhook_events', 'webhooks',
];

const backends = [
  { name: 'pglite', open: () => freshPglite({ migrate: false }), skip: false },
  { name: 'postgres', open: () => freshPostgres({ migrate: false }), skip: !realDatabaseUrl },
];

for (const { name, open, skip } of backends) {
  describe.skipIf(skip)(`migrations round trip on ${name}`, () => {
    let db: Db;
    beforeAll(async () => {
      db = await open();
    });
    afterAll(async () => {
      await db?.close();
    });

    it('each down undoes exactly its up, one migration at a time', async () => {
      // Runs the migration objects directly (no bookkeeping) so every step is compared on its own.
      const dumps = [await dumpSchema(db.knex)];
      expect(dumps[0]).toEqual([]);
      for (const migration of migrations) {
        await db.knex.transaction((trx) => migration.up(trx));
        const dump = await dumpSchema(db.knex);
        expect(dump, `${migration.name} up changes nothing`).not.toEqual(dumps.at(-1));
        dumps.push(dump);
      }
      for (let i = migrations.length - 1; i >= 0; i--) {
        await db.knex.transaction((trx) => migrations[i]!.down(trx));
        expect(await dumpSchema(db.knex), `${migrations[i]!.name} down`).toEqual(dumps[i]);
      }
    });

    it('latest → rollback --all → latest gives the identical schema', async () => {
      expect(await migrateLatest(db.knex)).toEqual(names);
      const first = await dumpSchema(db.knex);
      expect(await tableNames(db.knex)).toEqual(expectedTables);
      expect(first.some((line) => line.startsWith('trigger CREATE TRIGGER audit_events_append_only'))).toBe(true);

      expect(await migrateRollback(db.knex, true)).toEqual([...names].reverse());
      expect(await dumpSchema(db.knex)).toEqual([]);
      expect(await migrationStatus(db.knex)).toEqual({ applied: [], pending: names, unknown: [] });

      expect(await migrateLatest(db.knex)).toEqual(names);
      expect(await dumpSchema(db.knex)).toEqual(first);
      expect(await migrateLatest(db.knex)).toEqual([]);
    });
  });
}
