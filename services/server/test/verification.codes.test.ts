import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import type { Db } from '../src/db/knex.ts';
import { checkCode, consumeCode, issueCode, MAX_CODE_ATTEMPTS } from '../src/verification/codes.ts';
import { backends } from './support/backends.ts';

const keyring = new Keyring([randomBytes(32).toString('base64url')]);
const flow = () => randomBytes(10).toString('base64url');
const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe.each(backends)('email codes on $name', ({ open }) => {
  let db: Db;
  let userId: string;
  beforeAll(async () => {
    db = await open();
    const [row] = await db.knex('users').insert({ email: 'Grace@Example.com' }).returning('id');
    userId = (row as { id: string }).id;
  });
  afterAll(() => db?.close());

  it('issues a 6-digit code stored only as a keyed hash bound to the flow, valid for 10 minutes', async () => {
    const flowId = flow();
    const before = Date.now();
    const { code, expiresAt } = await issueCode({ db, keyring, purpose: 'sign_in', target: 'Grace@Example.com', userId, flowId });
    expect(code).toMatch(/^\d{6}$/);
    expect(expiresAt.getTime() - before).toBeGreaterThan(590_000);
    expect(expiresAt.getTime() - before).toBeLessThan(610_000);
    const row = await db.knex('verification_codes').where({ flow_id: flowId }).first();
    expect(row).toMatchObject({ purpose: 'sign_in', target: 'grace@example.com', user_id: userId, attempts: 0, consumed_at: null });
    expect(row.code_hash).toBe(keyring.hash('verification-code', `${flowId}:${code}`));
    expect(JSON.stringify(row)).not.toContain(code);
  });

  it('consumes the right code once, for the user it was issued to; a second use fails', async () => {
    const flowId = flow();
    const { code } = await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId });
    // The address is compared case-insensitively.
    expect(await consumeCode({ db, keyring, purpose: 'sign_in', target: 'GRACE@example.com', flowId, code })).toEqual({ ok: true, userId });
    expect(await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code })).toEqual({ ok: false, reason: 'no_code' });
  });

  it('a code issued before an account exists carries no user', async () => {
    const flowId = flow();
    const { code } = await issueCode({ db, keyring, purpose: 'verify_email', target: 'new@example.com', flowId });
    expect(await consumeCode({ db, keyring, purpose: 'verify_email', target: 'new@example.com', flowId, code })).toEqual({ ok: true, userId: null });
  });

  it('refuses an expired code', async () => {
    const flowId = flow();
    const { code } = await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId });
    await db.knex('verification_codes').where({ flow_id: flowId }).update({ expires_at: db.knex.raw(`now() - interval '1 second'`) });
    expect(await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code })).toEqual({ ok: false, reason: 'no_code' });
  });

  it('honours a short ttl', async () => {
    const flowId = flow();
    const { code } = await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId, ttlSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code })).toEqual({ ok: false, reason: 'no_code' });
  });

  it(`burns the code after ${MAX_CODE_ATTEMPTS} wrong tries: the right code fails afterwards`, async () => {
    const flowId = flow();
    const { code } = await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId });
    const reasons = [];
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i += 1) {
      const result = await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code: wrongCode(code) });
      reasons.push(result.ok ? 'ok' : result.reason);
    }
    expect(reasons).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'burned']);
    expect(await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code })).toEqual({ ok: false, reason: 'no_code' });
    expect((await db.knex('verification_codes').where({ flow_id: flowId }).first()).attempts).toBe(MAX_CODE_ATTEMPTS);
  });

  it('four wrong tries still leave the right code working', async () => {
    const flowId = flow();
    const { code } = await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId });
    for (let i = 0; i < MAX_CODE_ATTEMPTS - 1; i += 1) {
      await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code: wrongCode(code) });
    }
    expect(await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code })).toEqual({ ok: true, userId });
  });

  it('is bound to its flow: a code issued for flow A fails in flow B, and the guess does not burn A', async () => {
    const flowA = flow();
    const flowB = flow();
    const { code } = await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId: flowA });
    await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId: flowB });
    expect(await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId: flowB, code })).toMatchObject({ ok: false });
    expect(await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId: flowA, code })).toEqual({ ok: true, userId });
  });

  it('is bound to its purpose and target', async () => {
    const flowId = flow();
    const { code } = await issueCode({ db, keyring, purpose: 'reset_password', target: 'grace@example.com', userId, flowId });
    expect(await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code })).toEqual({ ok: false, reason: 'no_code' });
    expect(await consumeCode({ db, keyring, purpose: 'reset_password', target: 'other@example.com', flowId, code })).toEqual({ ok: false, reason: 'no_code' });
    expect(await consumeCode({ db, keyring, purpose: 'reset_password', target: 'grace@example.com', flowId, code })).toEqual({ ok: true, userId });
  });

  it('a new code for the same purpose, target and flow retires the older one', async () => {
    const flowId = flow();
    const first = await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId });
    let second = await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId });
    while (second.code === first.code) second = await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId });
    expect(await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code: first.code })).toMatchObject({ ok: false });
    expect(await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code: second.code })).toEqual({ ok: true, userId });
  });

  it('parallel ×10 submissions of the right code: exactly one succeeds', async () => {
    const flowId = flow();
    const { code } = await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code })),
    );
    expect(results.filter((r) => r.ok)).toEqual([{ ok: true, userId }]);
  });

  it(`parallel ×10 wrong guesses count ${MAX_CODE_ATTEMPTS} attempts at most, then the code is dead`, async () => {
    const flowId = flow();
    const { code } = await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code: wrongCode(code) })),
    );
    expect(results.filter((r) => !r.ok && r.reason !== 'no_code')).toHaveLength(MAX_CODE_ATTEMPTS);
    expect((await db.knex('verification_codes').where({ flow_id: flowId }).first()).attempts).toBe(MAX_CODE_ATTEMPTS);
    expect(await consumeCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', flowId, code })).toEqual({ ok: false, reason: 'no_code' });
  });

  it('checkCode ignores spaces and dashes, and a malformed entry costs no attempt', async () => {
    const flowId = flow();
    const { code } = await issueCode({ db, keyring, purpose: 'sign_in', target: 'grace@example.com', userId, flowId });
    const deps = { db, keyring } as Parameters<typeof checkCode>[0];
    for (let i = 0; i < 10; i += 1) {
      expect(await checkCode(deps, { purpose: 'sign_in', email: 'grace@example.com', flowId, code: 'abc' })).toEqual({ ok: false, reason: 'format' });
    }
    const typed = `${code.slice(0, 3)} - ${code.slice(3)}`;
    expect(await checkCode(deps, { purpose: 'sign_in', email: ' Grace@example.com ', flowId, code: typed })).toEqual({ ok: true, userId });
  });
});
