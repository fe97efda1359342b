import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageClient, inputValue, isInteraction, signInOnly } from './support/hosted-flow.ts';
import { startOidcUpstream, upstreamEnv, type OidcUpstream } from './support/oidc-upstream.ts';
import { startRelyingParty, type RelyingParty, type RpClient } from './support/rp.ts';
import { freePort, startTestServer, type TestServer } from './support/server.ts';
import { openSignInPage, socialRoundTrip } from './support/social-flow.ts';

/**
 * Social sign-in and linking answer alike whether or not an account uses
 * the address the upstream gave, as long as the upstream did not verify it
 * (then it is never looked up); linking from the console never looks at
 * the address at all.
 */
describe('social sign-in: no account enumeration', () => {
  let upstream: OidcUpstream;
  let open: TestServer;
  let invite: TestServer;
  let rpParty: RelyingParty;
  let n = 0;
  const identity = (email: string, emailVerified: boolean) => {
    const sub = `enum-${(n += 1)}`;
    upstream.accounts.set(sub, { email, email_verified: emailVerified });
    upstream.next = sub;
    return sub;
  };
  const address = () => `enum-${randomBytes(4).toString('hex')}@example.com`;

  /** Every hop of the round trip, with the volatile parts (uid, codes, state, addresses) masked. */
  async function trace(server: TestServer, rp: RpClient, email: string) {
    const start = await openSignInPage(server, rp);
    const landed = await socialRoundTrip(start, 'acme', rpParty);
    const body = landed.response ? (await landed.response.text()).replaceAll(start.uid, 'UID').replace(/name="csrf" value="[^"]*"/g, '').replaceAll(email, 'EMAIL') : '';
    return { status: landed.response?.status ?? 'redirect', path: landed.url.pathname.replaceAll(start.uid, 'UID'), body };
  }

  beforeAll(async () => {
    const openPort = await freePort();
    const invitePort = await freePort();
    upstream = await startOidcUpstream([`http://localhost:${openPort}/social/acme/callback`, `http://localhost:${invitePort}/social/acme/callback`]);
    open = await startTestServer({ port: openPort, env: upstreamEnv('ACME', upstream) });
    invite = await startTestServer({ port: invitePort, env: { ...upstreamEnv('ACME', upstream), LATCHKEY_SIGNUP: 'invite' } });
    rpParty = await startRelyingParty();
  }, 60_000);
  afterAll(async () => {
    await open?.stop();
    await invite?.stop();
    await upstream?.close();
    await rpParty?.close();
  });

  it('an unverified upstream address: the same round trip for an address with an account and one without', async () => {
    const rp = await rpParty.register(open, { firstParty: true });
    const taken = address();
    const ownerId = await open.createUser({ email: taken });
    identity(taken, false);
    const a = await trace(open, rp, taken);
    const free = address();
    identity(free, false);
    const b = await trace(open, rp, free);
    expect(a).toEqual(b);
    expect(a.status).toBe('redirect');
    // Neither address was attached to anything.
    expect(await open.db.knex('auth_providers').where({ user_id: ownerId }).first()).toBeUndefined();
    expect(await open.db.knex('users').where({ email: free }).first()).toBeUndefined();
  });

  it('with sign-up by invitation, the same refusal page for an address with an account and one without', async () => {
    const rp = await rpParty.register(invite, { firstParty: true });
    const taken = address();
    await invite.createUser({ email: taken });
    identity(taken, false);
    const a = await trace(invite, rp, taken);
    const free = address();
    identity(free, false);
    const b = await trace(invite, rp, free);
    expect(a).toEqual(b);
    expect(a.status).toBe(403);
    expect(a.body).toContain('new accounts need an invitation');
  });

  it('linking from the console answers the same whether the upstream\'s (verified) address has an account or not', async () => {
    const me = await open.createUser();
    const browser = new PageClient(open.issuer);
    const toLogin = await browser.follow('/account/linked', isInteraction);
    const landed = await browser.follow(await signInOnly(open, toLogin.url, me));
    const csrf = inputValue(await landed.response!.text(), 'csrf');
    const answers: Array<{ status: number; location: string | null }> = [];
    const taken = address();
    await open.createUser({ email: taken });
    for (const email of [taken, address()]) {
      identity(email, true);
      const pressed = await browser.post('/account/linked/link/acme', { csrf });
      const back = await browser.followFrom(pressed, (url) => url.pathname === '/account/linked');
      answers.push({ status: back.response?.status ?? 303, location: back.url.pathname + back.url.search });
      // Unlink again, so the next link starts from the same page.
      const id = (await open.db.knex('auth_providers').where({ user_id: me }).first('id')).id as string;
      await open.db.knex('auth_providers').where({ id }).delete();
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.location).toBe('/account/linked?done=linked');
  });
});
