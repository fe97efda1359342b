import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeEvents } from '../src/events/publish.ts';
import { isSessionActive } from '../src/sessions/validity.ts';
import { createStore, type Store } from '../src/store/index.ts';
import { realDatabaseUrl, realRedisUrl } from './support/backends.ts';
import { runCli, type ServerProcess } from './support/process.ts';
import { startDeployment, type Deployment } from './support/deployment.ts';
import type { TestServer } from './support/server.ts';
import { SessionBrowser, signInAt, silentSignIn } from './support/session-flow.ts';

/**
 * Two `latchkey start` processes on one Postgres + Redis: a browser session
 * established on replica A and revoked from the CLI is refused by replica B
 * within a second (no SSO: prompt=none answers login_required).
 */
describe.skipIf(!realDatabaseUrl || !realRedisUrl)('session revocation across replicas', () => {
  let deployment: Deployment;
  let pages: TestServer;
  let a: ServerProcess;
  let b: ServerProcess;
  let redis: Store;
  let env: Record<string, string>;

  beforeAll(async () => {
    [deployment, redis] = await Promise.all([startDeployment(), createStore({ redisUrl: realRedisUrl })]);
    ({ pages, a, b, env } = deployment);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([deployment?.stop(), redis?.close()]);
  });

  it('a session signed in on replica A and revoked from the CLI is refused by replica B within a second', async () => {
    const client = await pages.createClient();
    const email = `replica-${randomBytes(4).toString('hex')}@example.com`;
    const userId = await pages.createUser({ email });
    const browser = new SessionBrowser({ 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36' });

    await signInAt(browser, { authBase: a.url, pagesBase: pages.url, client, accountId: userId });
    // Replica A wrote the row, with what it saw of the browser.
    const row = await pages.db.knex('sessions').where({ user_id: userId }).first();
    expect(row).toMatchObject({ status: 'active', browser: 'Chrome 120', os: 'Windows 10', device: 'desktop' });
    expect(row.ip).toMatch(/127\.0\.0\.1|::1/);
    // Single sign-on works on the other replica.
    expect((await silentSignIn(browser, b.url, client)).searchParams.get('code')).toBeTruthy();
    expect(await isSessionActive({ knex: pages.db.knex, store: redis }, row.uid)).toBe(true);

    const heard: Array<{ sessionId: string }> = [];
    const unsubscribe = await subscribeEvents(redis, 'session:revoked', (payload) => heard.push(payload));
    try {
      const revoked = await runCli(['--json', 'sessions', 'revoke', row.uid], { ...env, PORT: '1' });
      expect(revoked.code, revoked.stderr).toBe(0);
      const revokedAt = Date.now();

      let refusal: URL | undefined;
      while (Date.now() - revokedAt < 1000) {
        const answer = await silentSignIn(browser, b.url, client);
        if (answer.searchParams.get('error') === 'login_required') {
          refusal = answer;
          break;
        }
      }
      expect(refusal, 'replica B still honoured the session a second after the revocation').toBeDefined();
      expect(Date.now() - revokedAt).toBeLessThan(1000);
      expect((await silentSignIn(browser, a.url, client)).searchParams.get('error')).toBe('login_required');

      // The shared cache and the channel tell every replica too.
      expect(await isSessionActive({ knex: pages.db.knex, store: redis }, row.uid)).toBe(false);
      const until = Date.now() + 3000;
      while (!heard.some((h) => h.sessionId === row.uid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(heard.map((h) => h.sessionId)).toContain(row.uid);
    } finally {
      await unsubscribe();
    }
  });
});
