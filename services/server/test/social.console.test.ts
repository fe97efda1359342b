import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { PageClient, inputValue, isInteraction, signInOnly } from './support/hosted-flow.ts';
import { startOidcUpstream, upstreamEnv, type OidcUpstream } from './support/oidc-upstream.ts';
import { startRelyingParty, type RelyingParty, type RpClient } from './support/rp.ts';
import { freePort, startTestServer, type TestServer } from './support/server.ts';
import { errorPage, socialSignIn } from './support/social-flow.ts';

/**
 * The console's "Linked accounts" (/account/linked): link an upstream
 * identity (a round trip that returns to the console of the account that
 * started it), list, and unlink — never the last way in.
 */
describe('social sign-in in the account console', () => {
  let upstream: OidcUpstream;
  let server: TestServer;
  let rpParty: RelyingParty;
  let rp: RpClient;
  let n = 0;
  const person = (emailVerified = true) => {
    const sub = `console-${(n += 1)}`;
    upstream.accounts.set(sub, { email: `${sub}@upstream.example`, email_verified: emailVerified });
    upstream.next = sub;
    return sub;
  };

  async function consoleAt(userId: string) {
    const browser = new PageClient(server.issuer);
    const toLogin = await browser.follow('/account/linked', isInteraction);
    const landed = await browser.follow(await signInOnly(server, toLogin.url, userId));
    expect(landed.url.pathname).toBe('/account/linked');
    const page = await landed.response!.text();
    return { browser, page, csrf: inputValue(page, 'csrf') };
  }

  /** Presses "Link ACME" and lets the upstream answer; returns where the browser ends (a console page). */
  async function link(c: { browser: PageClient; csrf: string }) {
    const pressed = await c.browser.post('/account/linked/link/acme', { csrf: c.csrf });
    expect(pressed.status).toBe(303);
    expect(new URL(pressed.headers.get('location')!).origin).toBe(upstream.issuer);
    return c.browser.followFrom(pressed);
  }

  beforeAll(async () => {
    const port = await freePort();
    upstream = await startOidcUpstream([`http://localhost:${port}/social/acme/callback`]);
    server = await startTestServer({ port, env: upstreamEnv('ACME', upstream) });
    rpParty = await startRelyingParty();
    rp = await rpParty.register(server, { firstParty: true });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    await rpParty?.close();
  });

  it('links an identity from the console, lists it, and signs in with it afterwards', async () => {
    const userId = await server.createUser({ password_hash: await hashPassword('console linking passphrase') });
    const c = await consoleAt(userId);
    expect(c.page).toContain('>Linked accounts</a>');
    expect(c.page).toContain('No accounts are linked.');
    expect(c.page).toMatch(/formaction="\/account\/linked\/link\/acme"[^>]*>Link ACME</);
    const sub = person();
    const landed = await link(c);
    expect(landed.url.pathname + landed.url.search).toBe('/account/linked?done=linked');
    const page = await landed.response!.text();
    expect(page).toContain('The account was linked.');
    expect(page).toContain(`${sub}@upstream.example`);
    const row = await server.db.knex('auth_providers').where({ type: 'acme', provider_id: sub }).first();
    expect(row.user_id).toBe(userId);
    expect(await server.db.knex('audit_events').where({ type: 'identity.linked', subject_id: userId }).first()).toMatchObject({ data: expect.objectContaining({ via: 'console', provider: 'acme' }) });
    // The identity now signs this account in.
    expect((await socialSignIn(server, rpParty, rp, 'acme')).claims.sub).toBe(userId);
  });

  it('refuses an identity already linked to another account, and leaves it there', async () => {
    const sub = person();
    const owner = (await socialSignIn(server, rpParty, rp, 'acme')).claims.sub;
    const userId = await server.createUser();
    const landed = await link(await consoleAt(userId));
    expect(landed.response!.status).toBe(409);
    expect(await landed.response!.text()).toContain('That ACME account is linked to another account here.');
    expect((await server.db.knex('auth_providers').where({ type: 'acme', provider_id: sub }).first()).user_id).toBe(owner);
  });

  it('finishes a link only in the console of the account that started it', async () => {
    const alice = await consoleAt(await server.createUser());
    const bobId = await server.createUser();
    const bob = await consoleAt(bobId);
    const sub = person();
    const pressed = await alice.browser.post('/account/linked/link/acme', { csrf: alice.csrf });
    const answer = await alice.browser.followFrom(pressed, (url) => url.pathname === '/social/acme/callback');
    const opened = await bob.browser.follow(answer.url);
    expect((await errorPage(opened.response)).status).toBe(400);
    expect(await server.db.knex('auth_providers').where({ type: 'acme', provider_id: sub }).first()).toBeUndefined();
  });

  it('unlinks an identity when another way in remains, and refuses to unlink the last one', async () => {
    const withPassword = await server.createUser({ password_hash: await hashPassword('a spare way in, kept') });
    const c = await consoleAt(withPassword);
    person();
    await link(c);
    const id = (await server.db.knex('auth_providers').where({ user_id: withPassword }).first('id')).id as string;
    const unlinked = await c.browser.post(`/account/linked/${id}/unlink`, { csrf: c.csrf });
    expect(unlinked.status).toBe(303);
    expect(unlinked.headers.get('location')).toBe('/account/linked?done=unlinked');
    expect(await server.db.knex('auth_providers').where({ id }).first()).toBeUndefined();
    expect(await server.db.knex('audit_events').where({ type: 'identity.unlinked', subject_id: withPassword }).first()).toBeDefined();

    // An account made from an identity whose address the upstream did not verify: the identity is its only way in.
    const sub = person(false);
    const onlyWay = (await socialSignIn(server, rpParty, rp, 'acme')).claims.sub;
    const d = await consoleAt(onlyWay);
    const row = await server.db.knex('auth_providers').where({ type: 'acme', provider_id: sub }).first();
    const refused = await d.browser.post(`/account/linked/${row.id}/unlink`, { csrf: d.csrf });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('this is the only way you can sign in');
    expect(await server.db.knex('auth_providers').where({ id: row.id }).first()).toBeDefined();

    // Someone else's identity, or no identity at all: not found, nothing removed.
    for (const other of [row.id, randomBytes(4).toString('hex')]) {
      const response = await c.browser.post(`/account/linked/${other}/unlink`, { csrf: c.csrf });
      expect(response.status).toBe(404);
    }
    expect(await server.db.knex('auth_providers').where({ id: row.id }).first()).toBeDefined();
  });
});
