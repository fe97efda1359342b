import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';
import { authorizationUrl, SessionBrowser, signInAt, silentSignIn } from './support/session-flow.ts';

/**
 * Attack: someone holds the session cookie of a person who has since been
 * blocked, deleted or locked. /auth with it answered 500 (oidc-provider
 * reached its consent checks with a session but no account), and for a lock
 * prompt=none still handed out codes. The account is changed straight in the
 * database, with no session revocation, so what is proved is that /auth
 * itself checks the account behind the session.
 */
describe('an old session cookie of an account that may no longer be used', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it.each([
    ['blocked', { status: 'blocked' }],
    ['deleted', { status: 'deleted', deleted_at: new Date() }],
    ['locked by an operator', { locked_until: new Date(Date.now() + 3600_000) }],
  ])('of a %s account leads to a clean sign-in page, and prompt=none answers login_required', async (_label, fields) => {
    const client = await server.createClient();
    const userId = await server.createUser();
    const browser = new SessionBrowser();
    await signInAt(browser, { authBase: server.url, pagesBase: server.url, client, accountId: userId });
    expect((await silentSignIn(browser, server.url, client)).searchParams.get('code')).toBeTruthy();

    await server.db.knex('users').where({ id: userId }).update(fields);

    const silent = await silentSignIn(browser, server.url, client);
    expect(silent.searchParams.get('error')).toBe('login_required');
    expect(silent.searchParams.get('code')).toBeNull();

    const interaction = await browser.follow(authorizationUrl(server.url, client), (url) => url.pathname.startsWith('/interaction/'));
    const page = await browser.fetch(interaction);
    const body = await page.text();
    expect(page.status).toBe(200);
    expect(body).toContain('autocomplete="current-password"');
    expect(body).not.toMatch(/went wrong|TypeError|\n\s+at \S+ \(/i);
  });
});
