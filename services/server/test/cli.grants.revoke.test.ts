import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeOwnGrants } from '../src/accounts/status.ts';
import { signInWithTokens } from './support/account-flow.ts';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { runCli } from './support/process.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Offline (refresh) grants outlive logout and `sessions revoke`, so an
 * operator, or the person, must be able to end them: `latchkey grants revoke
 * --user EMAIL [--client C]` and revokeOwnGrants (what the account API will
 * call). The browser session stays.
 */
describe.skipIf(!realDatabaseUrl)('latchkey grants revoke', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let server: TestServer;
  let env: Record<string, string>;
  const grants = (args: string[]) => runCli(['--json', 'grants', 'revoke', ...args], env);
  const active = async (config: client.Configuration, token: string) => (await client.tokenIntrospection(config, token)).active;

  beforeAll(async () => {
    db = await freshPostgres();
    const secrets = randomBytes(32).toString('base64url');
    server = await startTestServer({ databaseUrl: db.url, secrets });
    env = { DATABASE_URL: db.url, LATCHKEY_SECRETS: secrets };
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it('revokes one client\'s grant by client name, then all the user\'s grants, and audits both', async () => {
    const first = await signInWithTokens(server);
    const secondClient = await server.createClient();
    const second = await signInWithTokens(server, { userId: first.userId, email: first.email, client: secondClient });
    const clientName = (await server.db.knex('clients').where({ id: secondClient.client_id }).first()).name;

    const one = await grants(['--user', first.email, '--client', clientName]);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual({ user_id: first.userId, client_id: secondClient.client_id, grants_revoked: 1 });
    await expect(client.refreshTokenGrant(second.config, second.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await active(second.config, second.tokens.access_token)).toBe(false);
    // The other app is untouched, and so is the browser session.
    expect(await active(first.config, first.tokens.refresh_token!)).toBe(true);
    expect(await server.db.knex('sessions').where({ user_id: first.userId, status: 'active' })).not.toHaveLength(0);

    const all = await grants(['--user', first.email, '--reason', 'lost phone']);
    expect(JSON.parse(all.stdout)).toEqual({ user_id: first.userId, client_id: null, grants_revoked: 1 });
    await expect(client.refreshTokenGrant(first.config, first.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    const events = await server.db.knex('audit_events').where({ type: 'grant.revoked', subject_type: 'user', subject_id: first.userId }).orderBy('occurred_at');
    expect(events.map((e) => [e.actor_type, e.client_id, e.data])).toEqual([
      ['operator', secondClient.client_id, { grants: 1, reason: 'revoked by operator' }],
      ['operator', null, { grants: 1, reason: 'lost phone' }],
    ]);
  });

  it('lets the account owner revoke their own grants (for the account API)', async () => {
    const person = await signInWithTokens(server);
    expect(await revokeOwnGrants({ knex: server.db.knex }, person.userId, { clientId: person.client.client_id, ip: '192.0.2.7' })).toBe(1);
    await expect(client.refreshTokenGrant(person.config, person.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(await server.db.knex('audit_events').where({ type: 'grant.revoked', subject_id: person.userId }).first()).toMatchObject({
      actor_type: 'user',
      actor_id: person.userId,
      ip: '192.0.2.7',
      client_id: person.client.client_id,
    });
  });

  it.each([
    [['--user', 'nobody@example.com'], /no user with email nobody@example\.com/],
    [['--user', 'grants-known@example.com', '--client', 'no-such-client'], /no client with id or name "no-such-client"/],
  ])('refuses %j with one clear line and exit 2', async (args, message) => {
    if (!(await server.db.knex('users').where({ email: 'grants-known@example.com' }).first())) await server.createUser({ email: 'grants-known@example.com' });
    const result = await grants(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr).error).toMatch(message);
  });
});
