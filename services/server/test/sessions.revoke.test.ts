import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeEvents } from '../src/events/publish.ts';
import { revokeSession } from '../src/sessions/revoke.ts';
import { isSessionActive, validityKey } from '../src/sessions/validity.ts';
import { freshPostgres, realDatabaseUrl, realRedisUrl } from './support/backends.ts';
import { runCli } from './support/process.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { SessionBrowser, signInAt, silentSignIn } from './support/session-flow.ts';

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('revoking a browser session (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend });
  }, 60_000);
  afterAll(() => server?.stop());

  it('stops SSO at once, leaves a tombstone in the cache, announces it and audits it', async () => {
    const client = await server.createClient();
    const userId = await server.createUser();
    const browser = new SessionBrowser({ 'user-agent': 'RevokeTest/1.0' });
    await signInAt(browser, { authBase: server.url, pagesBase: server.url, client, accountId: userId });
    expect((await silentSignIn(browser, server.url, client)).searchParams.get('code')).toBeTruthy();

    const { uid } = await server.db.knex('sessions').where({ user_id: userId, status: 'active' }).first();
    const deps = { knex: server.db.knex, store: server.store };
    // A check fills the cache with "active"...
    expect(await isSessionActive(deps, uid)).toBe(true);
    expect(await server.store.get(validityKey(uid))).toBe('active');

    // The channel is shared with every other suite on the same Redis, so only this session's messages count.
    const heard: Array<{ sessionId: string }> = [];
    const unsubscribe = await subscribeEvents(server.store, 'session:revoked', (payload) => {
      if (payload.sessionId === uid) heard.push(payload);
    });
    try {
      expect(await revokeSession(deps, uid, 'lost laptop', { actorUserId: userId })).toBe(true);
      // ...which the revocation overwrote: no replica's next check says yes.
      expect(await server.store.get(validityKey(uid))).toBe('revoked');
      expect(await isSessionActive(deps, uid)).toBe(false);

      const refused = await silentSignIn(browser, server.url, client);
      expect(refused.searchParams.get('error')).toBe('login_required');
      expect(refused.searchParams.get('code')).toBeNull();

      const until = Date.now() + 3000;
      while (heard.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(heard).toEqual([{ sessionId: uid, userId, reason: 'lost laptop' }]);
    } finally {
      await unsubscribe();
    }
    expect(await server.db.knex('sessions').where({ uid }).first()).toMatchObject({ status: 'revoked', revoked_reason: 'lost laptop' });
    expect(await server.db.knex('audit_events').where({ type: 'session.revoked', subject_id: uid }).first()).toMatchObject({
      actor_type: 'user',
      actor_id: userId,
      subject_type: 'session',
      data: { reason: 'lost laptop', userId },
    });
    // Revoking twice changes nothing.
    expect(await revokeSession(deps, uid, 'again')).toBe(false);
    expect(await server.db.knex('audit_events').where({ type: 'session.revoked', subject_id: uid })).toHaveLength(1);
  });

  it('another session of the same person keeps working', async () => {
    const client = await server.createClient();
    const userId = await server.createUser();
    const phone = new SessionBrowser();
    const laptop = new SessionBrowser();
    await signInAt(phone, { authBase: server.url, pagesBase: server.url, client, accountId: userId });
    await signInAt(laptop, { authBase: server.url, pagesBase: server.url, client, accountId: userId });
    const rows = await server.db.knex('sessions').where({ user_id: userId, status: 'active' }).orderBy('created_at');
    expect(rows).toHaveLength(2);
    await revokeSession({ knex: server.db.knex, store: server.store }, rows[0].uid, 'test');
    const results = await Promise.all([silentSignIn(phone, server.url, client), silentSignIn(laptop, server.url, client)]);
    expect(results.map((url) => url.searchParams.get('error') ?? 'code').sort()).toEqual(['code', 'login_required']);
  });
});

describe.skipIf(!realDatabaseUrl || !realRedisUrl)('latchkey sessions (CLI)', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let server: TestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await freshPostgres();
    const secrets = randomBytes(32).toString('base64url');
    server = await startTestServer({ databaseUrl: db.url, secrets });
    env = { DATABASE_URL: db.url, REDIS_URL: realRedisUrl!, LATCHKEY_SECRETS: secrets };
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it('lists a user\'s sessions by uid (never the cookie value) and revokes one', async () => {
    const client = await server.createClient();
    const email = `cli-${randomBytes(4).toString('hex')}@example.com`;
    const userId = await server.createUser({ email });
    const browser = new SessionBrowser({ 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0' });
    await signInAt(browser, { authBase: server.url, pagesBase: server.url, client, accountId: userId });
    const row = await server.db.knex('sessions').where({ user_id: userId }).first();

    const listed = await runCli(['--json', 'sessions', 'list', '--user', email.toUpperCase()], env);
    expect(listed.code, listed.stderr).toBe(0);
    const { user_id, sessions } = JSON.parse(listed.stdout) as { user_id: string; sessions: Array<Record<string, unknown>> };
    expect(user_id).toBe(userId);
    expect(sessions).toEqual([
      expect.objectContaining({ id: row.uid, status: 'active', browser: 'Firefox 121', os: 'Linux', device: 'desktop', revoked_at: null }),
    ]);
    expect(listed.stdout).not.toContain(row.id);

    const revoked = await runCli(['--json', 'sessions', 'revoke', '--reason', 'suspicious', '--', row.uid], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(JSON.parse(revoked.stdout)).toEqual({ revoked: row.uid });
    expect((await silentSignIn(browser, server.url, client)).searchParams.get('error')).toBe('login_required');
    expect(await server.db.knex('audit_events').where({ type: 'session.revoked', subject_id: row.uid }).first()).toMatchObject({ actor_type: 'operator' });

    const again = await runCli(['--json', 'sessions', 'revoke', '--', row.uid], env);
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stderr)).toEqual({ error: expect.stringContaining('already revoked') });
    const nobody = await runCli(['--json', 'sessions', 'list', '--user', 'nobody@example.com'], env);
    expect(nobody.code).toBe(2);
    expect(nobody.stdout).toBe('');
  });
});
