import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAccountStatus } from '../src/accounts/status.ts';
import { signInWithTokens } from './support/account-flow.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Attack: an operator locks an account (locked_until) because it is being
 * misused, but the session, its refresh token and prompt=none keep working
 * until they expire. Locking now ends them at once; when the lock is lifted
 * the person signs in again, while what was revoked stays revoked.
 */
describe('locking an account', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('ends the session, the refresh token and prompt=none at once, and is audited', async () => {
    const person = await signInWithTokens(server);
    const deps = { knex: server.db.knex, store: server.store };
    expect(await person.silent(server.url)).toBe('code');

    const until = new Date(Date.now() + 3600_000);
    const locked = await changeAccountStatus(deps, person.userId, { action: 'lock', until }, { actor: { actorType: 'operator' }, reason: 'fraud check' });
    expect(locked).toMatchObject({ ok: true, sessionsRevoked: 1, grantsRevoked: 1 });

    expect(await person.silent(server.url)).toBe('login_required');
    await expect(client.refreshTokenGrant(person.config, person.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await client.tokenIntrospection(person.config, person.tokens.access_token)).toEqual({ active: false });
    await expect(client.fetchUserInfo(person.config, person.tokens.access_token, person.userId)).rejects.toMatchObject({ status: 401 });
    expect(await server.db.knex('sessions').where({ user_id: person.userId }).first()).toMatchObject({ status: 'revoked', revoked_reason: 'account_locked' });

    const events = await server.db.knex('audit_events').where({ subject_type: 'user', subject_id: person.userId }).orderBy('occurred_at');
    expect(events.find((e) => e.type === 'user.locked')).toMatchObject({ actor_type: 'operator', data: { reason: 'fraud check', until: until.toISOString() } });
    expect(events.find((e) => e.type === 'grant.revoked')).toMatchObject({ actor_type: 'operator', data: { grants: 1, reason: 'account_locked' } });

    // Unlocked: a new sign-in works again; the old refresh token stays dead.
    expect(await changeAccountStatus(deps, person.userId, { action: 'unlock' }, { actor: { actorType: 'operator' } })).toMatchObject({
      ok: true,
      user: { locked_until: null },
    });
    const again = await signInWithTokens(server, { userId: person.userId, client: person.client });
    expect(await client.tokenIntrospection(again.config, again.tokens.access_token)).toMatchObject({ active: true, sub: person.userId });
    await expect(client.refreshTokenGrant(person.config, person.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await server.db.knex('audit_events').where({ type: 'user.unlocked', subject_id: person.userId })).toHaveLength(1);
  });

  it('refuses a lock that ends in the past, and any change to a deleted account', async () => {
    const deps = { knex: server.db.knex, store: server.store };
    const actor = { actor: { actorType: 'operator' as const } };
    const userId = await server.createUser();
    expect(await changeAccountStatus(deps, userId, { action: 'lock', until: new Date(Date.now() - 1000) }, actor)).toEqual({ ok: false, problem: 'until_past' });
    expect(await changeAccountStatus(deps, userId, { action: 'delete' }, actor)).toMatchObject({ ok: true, user: { status: 'deleted' } });
    expect(await changeAccountStatus(deps, userId, { action: 'unblock' }, actor)).toEqual({ ok: false, problem: 'deleted' });
    expect(await changeAccountStatus(deps, '00000000-0000-4000-8000-000000000000', { action: 'block' }, actor)).toEqual({ ok: false, problem: 'not_found' });
    expect((await server.db.knex('users').where({ id: userId }).first()).deleted_at).not.toBeNull();
  });
});
