import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '../src/accounts/invitations.ts';
import { completeInvitedSignUp, registerAccount } from '../src/accounts/signup.ts';
import { Keyring } from '../src/crypto/keyring.ts';
import type { Db } from '../src/db/knex.ts';
import { createMemoryStore } from '../src/store/memory.ts';
import { backends } from './support/backends.ts';

const PARALLEL = 10;
const keyring = new Keyring([randomBytes(32).toString('base64url')]);
const store = createMemoryStore();

describe.each(backends)('invitation redemption on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
  });
  afterAll(() => db?.close());

  const invite = (input: { email?: string; scopes?: string[]; expiresInSeconds?: number | null } = {}) =>
    createInvitation({ knex: db.knex, keyring, issuer: 'https://id.example.com' }, { expiresInSeconds: 3600, ...input });
  const register = (email: string, invitationCode: string | undefined, mode: 'open' | 'invite' = 'invite') =>
    registerAccount({ knex: db.knex, keyring, store, mode }, { email, displayName: null, invitationCode });
  /** The form, then (as when the emailed code is entered) the completion. */
  const signUp = async (email: string, invitationCode: string | undefined, mode: 'open' | 'invite' = 'invite') => {
    const started = await register(email, invitationCode, mode);
    if (started.status !== 'invited') return started;
    return completeInvitedSignUp({ knex: db.knex, store }, { invitationId: started.invitationId, email, displayName: null, passwordHash: 'x' });
  };

  it(`×${PARALLEL} parallel sign-ups with one invitation create exactly one account`, async () => {
    const { code } = await invite({ scopes: ['read:things', 'beta'] });
    const emails = Array.from({ length: PARALLEL }, (_, i) => `racer-${i}-${randomBytes(3).toString('hex')}@example.com`);
    // Every form is accepted (nothing is written yet); the proved completions race.
    const started = await Promise.all(emails.map((email) => register(email, code)));
    expect(started.every((r) => r.status === 'invited')).toBe(true);
    const results = await Promise.all(
      started.map((r, i) =>
        completeInvitedSignUp({ knex: db.knex, store }, { invitationId: (r as { invitationId: string }).invitationId, email: emails[i]!, displayName: null, passwordHash: 'x' }),
      ),
    );

    const created = results.filter((r) => r.status === 'created');
    expect(created).toHaveLength(1);
    expect(results.filter((r) => r.status === 'invitation_invalid')).toHaveLength(PARALLEL - 1);

    // Nothing half-written: only the winner's user row exists, and it holds the scopes.
    const rows = await db.knex('users').whereIn('email', emails).select('id', 'scopes', 'email_verified', 'password_hash');
    expect(rows).toHaveLength(1);
    const winner = created[0]! as { userId: string };
    expect(rows[0]).toMatchObject({ id: winner.userId, scopes: ['beta', 'read:things'], email_verified: true, password_hash: 'x' });
    const invitation = await db.knex('invitations').where({ code_hash: keyring.hash('invitation', code) }).first();
    expect(invitation.redeemed_by).toBe(winner.userId);
    expect(invitation.redeemed_at).toBeInstanceOf(Date);
    // The audit trail has the winner's sign-up and redemption, and nothing of the losers'.
    const events = await db.knex('audit_events').where({ actor_id: winner.userId }).orderBy('type').pluck('type');
    expect(events).toEqual(['email.verified', 'invitation.redeemed', 'sign_up']);
    expect(await db.knex('audit_events').where({ type: 'sign_up' }).whereIn('actor_id', db.knex('users').select(db.knex.raw('id::text')).whereIn('email', emails))).toHaveLength(1);
  });

  it('stores only a keyed hash of a code of at least 128 bits', async () => {
    const { code, url } = await invite();
    expect(Buffer.from(code, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(url).toBe(`https://id.example.com/signup?invitation=${code}`);
    const rows = await db.knex('invitations').select('*');
    expect(JSON.stringify(rows)).not.toContain(code);
  });

  it('refuses an expired, a revoked, an unknown or a missing code, and a code bound to another address', async () => {
    const expired = await invite({ expiresInSeconds: 1 });
    await db.knex('invitations').where({ code_hash: keyring.hash('invitation', expired.code) }).update({ expires_at: db.knex.raw(`now() - interval '1 second'`) });
    const revoked = await invite();
    await db.knex('invitations').where({ code_hash: keyring.hash('invitation', revoked.code) }).update({ revoked_at: db.knex.fn.now() });
    const bound = await invite({ email: 'Grace@Example.com' });

    expect((await signUp('a1@example.com', expired.code)).status).toBe('invitation_invalid');
    expect((await signUp('a2@example.com', revoked.code)).status).toBe('invitation_invalid');
    expect((await signUp('a3@example.com', randomBytes(32).toString('base64url'))).status).toBe('invitation_invalid');
    expect((await signUp('a4@example.com', undefined)).status).toBe('invitation_invalid');
    expect((await signUp('someone-else@example.com', bound.code)).status).toBe('invitation_invalid');
    expect(await db.knex('users').whereIn('email', ['a1@example.com', 'a2@example.com', 'a3@example.com', 'a4@example.com', 'someone-else@example.com'])).toEqual([]);

    // The bound address, in any case, may use it.
    expect((await signUp('grace@example.COM', bound.code)).status).toBe('created');
    // Used up: a second proved completion writes nothing.
    expect((await signUp('grace@example.com', bound.code)).status).toBe('invitation_invalid');
  });

  it('does not redeem for an address that already has an account, and says nothing different about the code', async () => {
    const { code } = await invite();
    const first = await signUp('taken@example.com', undefined, 'open');
    expect(first.status).toBe('created');
    const again = await signUp('TAKEN@example.com', code);
    expect(again).toMatchObject({ status: 'exists', verified: false });
    const invitation = await db.knex('invitations').where({ code_hash: keyring.hash('invitation', code) }).first();
    expect(invitation.redeemed_at).toBeNull();
    // A bad code answers "invalid" for taken and free addresses alike.
    expect((await signUp('taken@example.com', 'nope')).status).toBe('invitation_invalid');
  });

  it('closed sign-up creates nothing, even with a good invitation', async () => {
    const { code } = await invite();
    const result = await registerAccount({ knex: db.knex, keyring, store, mode: 'closed' }, { email: 'closed@example.com', displayName: null, invitationCode: code });
    expect(result.status).toBe('closed');
    expect(await db.knex('users').where({ email: 'closed@example.com' }).first()).toBeUndefined();
  });
});
