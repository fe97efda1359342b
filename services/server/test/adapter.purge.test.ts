import type { Adapter } from 'oidc-provider';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import type { Db } from '../src/db/knex.ts';
import { purgeOnce, startPurge } from '../src/db/purge.ts';
import { createAdapter, type AdapterClass } from '../src/oidc/adapter.ts';
import { backends } from './support/backends.ts';
import { accessTokenPayload, epoch, grantPayload, insertClient, randomId, sessionPayload } from './support/oidc-payloads.ts';

describe.each(backends)('purge of expired rows on $name', (backend) => {
  let db: Db;
  let Adapter: AdapterClass;
  let clientId: string;
  const adapter = (model: string): Adapter => new Adapter(model);

  async function save(model: string, payload: { jti: string }, expiresIn?: number) {
    await adapter(model).upsert(payload.jti, payload, expiresIn);
    return payload.jti;
  }

  beforeAll(async () => {
    db = await backend.open();
    Adapter = createAdapter(db, new Keyring(['test-secret-one']));
    clientId = await insertClient(db.knex);
  });
  beforeEach(async () => {
    // Start every case from a clean slate (the previous case may leave expired rows).
    await purgeOnce(db, 1000);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('deletes expired rows in batches and keeps live and never-expiring ones', async () => {
    const expired = [];
    for (let i = 0; i < 25; i += 1) expired.push(await save('AccessToken', accessTokenPayload({ clientId }), -10));
    const expiredSessions = [];
    for (let i = 0; i < 3; i += 1) expiredSessions.push(await save('Session', sessionPayload({}), -10));
    const expiredGrant = await save('Grant', grantPayload({ clientId }), -10);
    const live = await save('AccessToken', accessTokenPayload({ clientId }), 3600);
    const liveSession = await save('Session', sessionPayload({}), 3600);
    const forever = await save('InitialAccessToken', { iat: epoch(), jti: randomId(), kind: 'InitialAccessToken' } as { jti: string });

    const deletes: string[] = [];
    const onQuery = (query: { sql: string }) => {
      if (query.sql.startsWith('delete from access_tokens')) deletes.push(query.sql);
    };
    db.knex.on('query', onQuery);
    let deleted: Record<string, number>;
    try {
      deleted = await purgeOnce(db, 10);
    } finally {
      db.knex.off('query', onQuery);
    }

    expect(deleted).toEqual({ access_tokens: 25, sessions: 3, grants: 1 });
    // 10 + 10 + 5: a short batch ends the loop.
    expect(deletes).toHaveLength(3);
    expect(await db.knex('access_tokens').whereIn('id', expired).count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await db.knex('sessions').whereIn('id', expiredSessions).count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await db.knex('grants').where({ id: expiredGrant }).first()).toBeUndefined();
    expect(await adapter('AccessToken').find(live)).toBeDefined();
    expect(await adapter('Session').find(liveSession)).toBeDefined();
    expect(await adapter('InitialAccessToken').find(forever)).toBeDefined();

    expect(await purgeOnce(db, 10)).toEqual({});
  });

  it('startPurge purges on start and on its interval until stopped', async () => {
    const info: object[] = [];
    const logger = { info: (details: object) => info.push(details), error: () => undefined };
    const first = await save('AccessToken', accessTokenPayload({ clientId }), -10);
    const stop = startPurge(db, { intervalMs: 50, batchSize: 5, logger });
    try {
      await expect.poll(() => db.knex('access_tokens').where({ id: first }).first(), { timeout: 5000 }).toBeUndefined();
      const second = await save('AccessToken', accessTokenPayload({ clientId }), -10);
      await expect.poll(() => db.knex('access_tokens').where({ id: second }).first(), { timeout: 5000 }).toBeUndefined();
    } finally {
      await stop();
    }
    expect(info).toContainEqual({ deleted: { access_tokens: 1 } });

    const afterStop = await save('AccessToken', accessTokenPayload({ clientId }), -10);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await db.knex('access_tokens').where({ id: afterStop }).first()).toBeDefined();
  });

  it('also deletes expired emailed codes, keeping live ones', async () => {
    const row = (minutes: number) => ({ purpose: 'sign_in', target: 'a@example.com', code_hash: randomId(), expires_at: new Date(Date.now() + minutes * 60_000) });
    const [expired, live] = await db.knex('verification_codes').insert([row(-1), row(10)]).returning('id');
    expect((await purgeOnce(db, 10)).verification_codes).toBe(1);
    expect(await db.knex('verification_codes').where({ id: (expired as { id: string }).id }).first()).toBeUndefined();
    expect(await db.knex('verification_codes').where({ id: (live as { id: string }).id }).first()).toBeDefined();
  });

  it('rejects a nonsensical batch size', async () => {
    await expect(purgeOnce(db, 0)).rejects.toThrow(/batchSize/);
  });
});
