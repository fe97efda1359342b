import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres } from './support/backends.ts';
import { PageClient, inputValue, isInteraction, signInOnly } from './support/hosted-flow.ts';
import { runCli } from './support/process.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { realRedisUrl } from './support/backends.ts';

/**
 * The account console's session is bound to the browser session it signed in
 * through: ending that session (revocation from the CLI, a block) ends the
 * console at its very next request. Its forms need the CSRF token; its pages
 * carry the strict CSP; its sign-in cannot be finished by another browser.
 */

const STRICT_CSP = /default-src 'none'; script-src 'self'; style-src 'self'/;

/** Signs a user in to the console (the login prompt finished in process) and returns the page client on /account/sessions. */
async function signInToConsole(server: TestServer, userId: string, start = '/account/sessions') {
  const browser = new PageClient(server.issuer);
  const toLogin = await browser.follow(start, isInteraction);
  expect(toLogin.url.pathname).toMatch(/^\/interaction\//);
  const resume = await signInOnly(server, toLogin.url, userId);
  const landed = await browser.follow(resume);
  return { browser, landed };
}

const sessionUidOf = async (server: TestServer, userId: string) =>
  ((await server.db.knex('sessions').where({ user_id: userId, status: 'active' }).first('uid')) as { uid: string }).uid;

describe('account console session', () => {
  let server: TestServer;
  let databaseUrl: string | undefined;
  let closeDb: (() => Promise<void>) | undefined;
  const secrets = randomBytes(32).toString('base64url');
  beforeAll(async () => {
    if (canUseRealServices) {
      const pg = await freshPostgres({ migrate: false });
      databaseUrl = pg.url;
      closeDb = () => pg.close();
    }
    server = await startTestServer({ databaseUrl, secrets, env: databaseUrl ? {} : { REDIS_URL: '' } });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await closeDb?.();
  });

  const cli = (args: string[]) =>
    runCli(['--json', ...args], {
      NODE_ENV: 'test',
      LATCHKEY_ISSUER: server.issuer,
      LATCHKEY_SECRETS: secrets,
      LATCHKEY_LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl!,
      REDIS_URL: realRedisUrl!,
    });

  it('signs in through the built-in client without a consent page and shows the sessions page under the strict CSP', async () => {
    const userId = await server.createUser();
    const { landed } = await signInToConsole(server, userId);
    expect(landed.url.pathname).toBe('/account/sessions');
    expect(landed.response!.status).toBe(200);
    expect(landed.response!.headers.get('content-security-policy')).toMatch(STRICT_CSP);
    expect(landed.response!.headers.get('cache-control')).toBe('no-store');
    const cookie = landed.response!.headers.get('set-cookie');
    expect(cookie ?? '').not.toMatch(/lk_console=/); // set on the callback, not again
    const page = await landed.response!.text();
    expect(page).toContain('This browser');
    expect(page).not.toMatch(/<script(?![^>]*src=)/);
  });

  it('answers a console page without a session with a sign-in, and returns only to console pages', async () => {
    const browser = new PageClient(server.issuer);
    const first = await browser.get('/account/sessions');
    expect(first.status).toBe(303);
    const auth = new URL(first.headers.get('location')!, server.issuer);
    expect(auth.pathname).toBe('/auth');
    expect(auth.searchParams.get('client_id')).toBe('latchkey-account');
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('redirect_uri')).toBe(`${server.issuer}/account/callback`);

    const userId = await server.createUser();
    const toLogin = await browser.follow('/account/login?return=https://evil.example/steal', isInteraction);
    const landed = await browser.follow(await signInOnly(server, toLogin.url, userId));
    expect(landed.url.href).toBe(`${server.issuer}/account`);
  });

  it('refuses a callback whose state this browser did not start (no login CSRF)', async () => {
    const victim = new PageClient(server.issuer);
    const attacker = new PageClient(server.issuer);
    const started = await attacker.get('/account/login');
    const state = new URL(started.headers.get('location')!, server.issuer).searchParams.get('state')!;
    const response = await victim.get(`/account/callback?code=anything&state=${state}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(STRICT_CSP);
    const garbage = await victim.get('/account/callback?state=%00&code=x');
    expect(garbage.status).toBe(400);
  });

  it('refuses a form post without the CSRF token with a 403 page', async () => {
    const userId = await server.createUser();
    const { browser, landed } = await signInToConsole(server, userId);
    const page = await landed.response!.text();
    expect(inputValue(page, 'csrf')).toBeTruthy();
    const response = await browser.post('/account/sessions/revoke-others', {});
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(STRICT_CSP);
    const wrong = await browser.post('/account/logout', { csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    // Still signed in: nothing happened.
    expect((await browser.get('/account/sessions')).status).toBe(200);
  });

  it('ends when its browser session is revoked', async () => {
    const userId = await server.createUser();
    const { browser } = await signInToConsole(server, userId);
    expect((await browser.get('/account/sessions')).status).toBe(200);
    const uid = await sessionUidOf(server, userId);
    if (canUseRealServices) {
      const result = await cli(['sessions', 'revoke', uid]);
      expect(result.code, result.stderr).toBe(0);
    } else {
      const { revokeSession } = await import('../src/sessions/revoke.ts');
      expect(await revokeSession({ knex: server.db.knex, store: server.store }, uid, 'test')).toBe(true);
    }
    const after = await browser.get('/account/sessions');
    expect(after.status).toBe(303);
    expect(new URL(after.headers.get('location')!, server.issuer).pathname).toBe('/auth');
  });

  it('ends when the account is blocked', async () => {
    const email = `blocked-${randomBytes(4).toString('hex')}@example.com`;
    const userId = await server.createUser({ email });
    const { browser } = await signInToConsole(server, userId);
    expect((await browser.get('/account/sessions')).status).toBe(200);
    if (canUseRealServices) {
      const result = await cli(['users', 'block', '--email', email]);
      expect(result.code, result.stderr).toBe(0);
    } else {
      // Without the CLI's database: the row alone (no session revocation) must already end it.
      await server.db.knex('users').where({ id: userId }).update({ status: 'blocked' });
    }
    const after = await browser.get('/account/sessions');
    expect(after.status).toBe(303);
    expect(new URL(after.headers.get('location')!, server.issuer).pathname).toBe('/auth');
  });

  it('signing out is RP-initiated logout: the console session is gone and the provider asks to end the browser session', async () => {
    const userId = await server.createUser();
    const { browser, landed } = await signInToConsole(server, userId);
    const csrf = inputValue(await landed.response!.text(), 'csrf');
    const out = await browser.post('/account/logout', { csrf });
    expect(out.status).toBe(303);
    const end = new URL(out.headers.get('location')!, server.issuer);
    expect(end.pathname).toBe('/session/end');
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${server.issuer}/account`);
    expect((await browser.get('/account/sessions')).status).toBe(303);
  });
});
