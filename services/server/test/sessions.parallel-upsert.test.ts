import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import type { Db } from '../src/db/knex.ts';
import { createAdapter, type AdapterClass } from '../src/oidc/adapter.ts';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';

const PARALLEL = 8;
const ROUNDS = 60;

/**
 * Parallel requests of one browser each save its session. When the session's
 * row does not exist yet, their inserts raced on the primary key (ON CONFLICT
 * only arbitrates `uid`), and the losers answered 500 with a sessions_pkey
 * violation. Every save must now succeed and leave one row.
 */
describe.skipIf(!realDatabaseUrl)('sessions: parallel first saves of one session on real Postgres', () => {
  let db: Db;
  let Adapter: AdapterClass;
  beforeAll(async () => {
    db = await freshPostgres();
    Adapter = createAdapter(db, new Keyring(['test-secret-one']));
  });
  afterAll(() => db?.close());

  it(`${PARALLEL} parallel saves of a new session, ${ROUNDS} times: all succeed, one row each`, async () => {
    const failures: string[] = [];
    const uids: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const id = randomBytes(12).toString('base64url');
      const uid = randomBytes(12).toString('base64url');
      uids.push(uid);
      const results = await Promise.allSettled(
        Array.from({ length: PARALLEL }, () => new Adapter('Session').upsert(id, { jti: id, uid, kind: 'Session', exp: Math.floor(Date.now() / 1000) + 600 }, 600)),
      );
      for (const result of results) if (result.status === 'rejected') failures.push(String((result.reason as Error).message).split('\n').pop()!);
    }
    expect(failures).toEqual([]);
    const { rows } = (await db.knex.raw('select count(*)::int as n from sessions where uid = any(?)', [uids])) as { rows: Array<{ n: number }> };
    expect(rows[0]!.n).toBe(ROUNDS);
  });
});
