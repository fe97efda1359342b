import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithTokens } from './support/account-flow.ts';
import { freshPostgres, realDatabaseUrl, realRedisUrl } from './support/backends.ts';
import { runCli } from './support/process.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * `latchkey users block|unblock|delete|lock|unlock --email E`, run as an
 * operator would beside a running server: the account's session and
 * tokens stop working at once, each step is audited with the operator as
 * actor and the user as subject, and mistakes get one clear line.
 */
describe.skipIf(!realDatabaseUrl)('latchkey users block|unblock|delete|lock|unlock', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let server: TestServer;
  let env: Record<string, string>;
  const users = (args: string[]) => runCli(['--json', 'users', ...args], env);

  beforeAll(async () => {
    db = await freshPostgres();
    const secrets = randomBytes(32).toString('base64url');
    server = await startTestServer({ databaseUrl: db.url, secrets });
    env = { DATABASE_URL: db.url, LATCHKEY_SECRETS: secrets, ...(realRedisUrl ? { REDIS_URL: realRedisUrl } : {}) };
    await server.createUser({ email: 'x@example.com' });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it('block ends the session and tokens at once; unblock lets the person sign in again', async () => {
    const person = await signInWithTokens(server);
    expect(await person.silent(server.url)).toBe('code');

    const blocked = await users(['block', '--email', person.email.toUpperCase(), '--reason', 'abuse report 17']);
    expect(blocked.code, blocked.stderr).toBe(0);
    expect(JSON.parse(blocked.stdout)).toEqual({ user_id: person.userId, status: 'blocked', locked_until: null, sessions_revoked: 1, grants_revoked: 1 });

    expect(await person.silent(server.url)).toBe('login_required');
    expect(await client.tokenIntrospection(person.config, person.tokens.refresh_token!)).toEqual({ active: false });
    await expect(client.refreshTokenGrant(person.config, person.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const audit = await server.db.knex('audit_events').where({ subject_type: 'user', subject_id: person.userId }).whereIn('type', ['user.blocked', 'grant.revoked']);
    expect(audit.map((e) => [e.type, e.actor_type])).toEqual(expect.arrayContaining([['user.blocked', 'operator'], ['grant.revoked', 'operator']]));
    expect(audit.find((e) => e.type === 'user.blocked').data).toEqual({ reason: 'abuse report 17' });
    expect(await server.db.knex('audit_events').where({ type: 'session.revoked', actor_type: 'operator' }).whereRaw(`data->>'userId' = ?`, [person.userId])).toHaveLength(1);

    const unblocked = await users(['unblock', '--email', person.email]);
    expect(unblocked.code, unblocked.stderr).toBe(0);
    expect(JSON.parse(unblocked.stdout)).toMatchObject({ status: 'active', sessions_revoked: 0, grants_revoked: 0 });
    const again = await signInWithTokens(server, { userId: person.userId, client: person.client });
    expect(await client.tokenIntrospection(again.config, again.tokens.access_token)).toMatchObject({ active: true });
    expect(await server.db.knex('audit_events').where({ type: 'user.unblocked', subject_id: person.userId, actor_type: 'operator' })).toHaveLength(1);
  });

  it('lock --until takes a time or a duration; unlock lifts it', async () => {
    const person = await signInWithTokens(server);
    const locked = await users(['lock', '--email', person.email, '--until', '2h']);
    expect(locked.code, locked.stderr).toBe(0);
    const out = JSON.parse(locked.stdout);
    expect(out).toMatchObject({ user_id: person.userId, status: 'active', sessions_revoked: 1, grants_revoked: 1 });
    expect(Math.abs(Date.parse(out.locked_until) - (Date.now() + 2 * 3600_000))).toBeLessThan(60_000);
    expect(await person.silent(server.url)).toBe('login_required');

    const later = await users(['lock', '--email', person.email, '--until', '2099-12-31T23:00:00+01:00']);
    expect(JSON.parse(later.stdout).locked_until).toBe('2099-12-31T22:00:00.000Z');
    const unlocked = await users(['unlock', '--email', person.email]);
    expect(JSON.parse(unlocked.stdout)).toMatchObject({ locked_until: null });
    expect((await server.db.knex('users').where({ id: person.userId }).first()).locked_until).toBeNull();
    expect(await server.db.knex('audit_events').where({ subject_id: person.userId }).whereIn('type', ['user.locked', 'user.unlocked']).pluck('type')).toEqual(
      expect.arrayContaining(['user.locked', 'user.locked', 'user.unlocked']),
    );
  });

  it('delete is final: the row stays, marked deleted, and nothing changes it again', async () => {
    const person = await signInWithTokens(server);
    const deleted = await users(['delete', '--email', person.email]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ status: 'deleted', sessions_revoked: 1, grants_revoked: 1 });
    expect(await server.db.knex('users').where({ id: person.userId }).first()).toMatchObject({ status: 'deleted', deleted_at: expect.any(Date) });
    expect(await person.silent(server.url)).toBe('login_required');
    const unblock = await users(['unblock', '--email', person.email]);
    expect(unblock.code).toBe(2);
    expect(JSON.parse(unblock.stderr).error).toMatch(/is deleted; a deleted account cannot be changed/);
  });

  it.each([
    [['block', '--email', 'nobody@example.com'], /no user with email nobody@example\.com/],
    [['lock', '--email', 'nobody@example.com'], /required option '--until <time>'/],
    [['lock', '--email', 'x@example.com', '--until', 'tomorrow'], /--until must be a time like/],
    [['lock', '--email', 'x@example.com', '--until', '2030-02-30'], /--until must be a time like/],
    [['lock', '--email', 'x@example.com', '--until', '2030-01-31T18:00:00'], /--until must be a time like/],
    [['lock', '--email', 'x@example.com', '--until', '2000-01-01T00:00:00Z'], /--until must be in the future/],
  ])('refuses %j with one clear line and exit 2, changing nothing', async (args, message) => {
    const before = await server.db.knex('audit_events').count({ n: '*' }).first();
    const result = await users(args);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(await server.db.knex('audit_events').count({ n: '*' }).first()).toEqual(before);
    expect(await server.db.knex('users').where({ email: 'x@example.com' }).first()).toMatchObject({ status: 'active', locked_until: null });
  });
});
