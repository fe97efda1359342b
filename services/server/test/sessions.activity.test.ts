import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from 'oidc-provider';
import { Keyring } from '../src/crypto/keyring.ts';
import type { Db } from '../src/db/knex.ts';
import { createAdapter } from '../src/oidc/adapter.ts';
import { revokeSession } from '../src/sessions/revoke.ts';
import { createStore, type Store } from '../src/store/index.ts';
import { backends } from './support/backends.ts';
import { epoch, insertUser, randomId, sessionPayload } from './support/oidc-payloads.ts';

/**
 * The Session rows behind oidc-provider: last activity written at most once
 * a minute, and a session's identity (its uid) kept across the id rotation
 * oidc-provider does at every sign-in, revocation included.
 */
describe.each(backends)('session rows on $name', (backend) => {
  let db: Db;
  let store: Store;
  let sessions: Adapter;
  beforeAll(async () => {
    [db, store] = await Promise.all([backend.open(), createStore({ redisUrl: undefined })]);
    const Adapter = createAdapter(db, new Keyring(['test-secret-one']), { store });
    sessions = new Adapter('Session');
  });
  afterAll(async () => {
    await store?.close();
    await db?.close();
  });

  const row = (uid: string) => db.knex('sessions').where({ uid }).first();
  const backdate = (uid: string, seconds: number) =>
    db.knex('sessions').where({ uid }).update({ last_activity_at: db.knex.raw(`now() - ?::float8 * interval '1 second'`, [seconds]) });

  it('last activity moves at most once a minute, however often the session is saved', async () => {
    const payload = sessionPayload({ accountId: await insertUser(db.knex) });
    await sessions.upsert(payload.jti, payload, 3600);
    await backdate(payload.uid, 30);
    const before = (await row(payload.uid)).last_activity_at as Date;

    // Saved again within the minute (every request re-saves a session): unchanged.
    await sessions.upsert(payload.jti, { ...payload, exp: epoch() + 3600 }, 3600);
    expect((await row(payload.uid)).last_activity_at).toEqual(before);

    // Over a minute since the last write: now.
    await backdate(payload.uid, 61);
    await sessions.upsert(payload.jti, payload, 3600);
    expect(Date.now() - ((await row(payload.uid)).last_activity_at as Date).getTime()).toBeLessThan(5000);
  });

  it('a new sign-in in the session counts as activity at once', async () => {
    const payload = sessionPayload({ accountId: await insertUser(db.knex) });
    await sessions.upsert(payload.jti, payload, 3600);
    await backdate(payload.uid, 30);
    await sessions.upsert(payload.jti, { ...payload, loginTs: epoch() + 1 }, 3600);
    expect(Date.now() - ((await row(payload.uid)).last_activity_at as Date).getTime()).toBeLessThan(5000);
  });

  it('an id rotation (destroy old id, save new id) keeps the same row: created_at, client details', async () => {
    const payload = sessionPayload({ accountId: await insertUser(db.knex) });
    await sessions.upsert(payload.jti, payload, 3600);
    await db.knex('sessions').where({ uid: payload.uid }).update({ ip: '203.0.113.1', browser: 'Firefox 121' });
    const first = await row(payload.uid);

    const rotated = { ...payload, jti: randomId() };
    await sessions.destroy(payload.jti);
    expect(await sessions.find(payload.jti)).toBeUndefined();
    await sessions.upsert(rotated.jti, rotated, 3600);

    expect(await sessions.find(payload.jti)).toBeUndefined();
    expect(await sessions.find(rotated.jti)).toEqual(rotated);
    expect(await db.knex('sessions').where({ uid: payload.uid })).toHaveLength(1);
    expect(await row(payload.uid)).toMatchObject({ id: rotated.jti, status: 'active', created_at: first.created_at, ip: '203.0.113.1', browser: 'Firefox 121' });
  });

  it('logout (destroy) ends the session: it is not found, by id or by uid', async () => {
    const payload = sessionPayload({ accountId: await insertUser(db.knex) });
    await sessions.upsert(payload.jti, payload, 3600);
    await sessions.destroy(payload.jti);
    expect(await sessions.find(payload.jti)).toBeUndefined();
    expect(await sessions.findByUid(payload.uid)).toBeUndefined();
    expect((await row(payload.uid)).status).toBe('ended');
  });

  it('a revocation survives a rotation racing it: the rotated session is not found either', async () => {
    const payload = sessionPayload({ accountId: await insertUser(db.knex) });
    await sessions.upsert(payload.jti, payload, 3600);
    // The rotation's destroy has run; the revocation lands before its save.
    await sessions.destroy(payload.jti);
    expect(await revokeSession({ knex: db.knex, store }, payload.uid, 'test')).toBe(true);
    const rotated = { ...payload, jti: randomId() };
    await sessions.upsert(rotated.jti, rotated, 3600);

    expect(await sessions.find(rotated.jti)).toBeUndefined();
    expect(await sessions.findByUid(payload.uid)).toBeUndefined();
    expect(await row(payload.uid)).toMatchObject({ status: 'revoked', revoked_reason: 'test' });
  });
});
