import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { signInWithTokens } from './support/account-flow.ts';
import { post, startFlow } from './support/email-code-flow.ts';
import { startOidcUpstream, upstreamEnv, type OidcUpstream } from './support/oidc-upstream.ts';
import { startRelyingParty, type RelyingParty, type RpClient } from './support/rp.ts';
import { freePort, startTestServer, type TestServer } from './support/server.ts';
import { openSignInPage, socialRoundTrip, socialSignIn } from './support/social-flow.ts';

/**
 * Pre-account-takeover: an attacker registers the victim's address first,
 * hoping the victim later arrives through an upstream and shares the
 * account. Whatever the attacker set before the address was proved is gone
 * when the victim proves it through the upstream; an account that has
 * proved the address is never linked on the upstream's word; an address the
 * upstream did not verify captures nothing.
 */
describe('social sign-in: pre-account-takeover', () => {
  let upstream: OidcUpstream;
  let server: TestServer;
  let rpParty: RelyingParty;
  let rp: RpClient;
  const ATTACKER_PASSWORD = 'attacker knows this one';
  let n = 0;
  const victim = (emailVerified: unknown = true) => {
    const sub = `victim-${(n += 1)}-${randomBytes(3).toString('hex')}`;
    const email = `${sub}@example.com`;
    upstream.accounts.set(sub, { email, email_verified: emailVerified, name: 'Victim' });
    upstream.next = sub;
    return { sub, email };
  };

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

  it('an attacker who signed up with the victim\'s address (never proved) is left out when the victim arrives through the upstream', async () => {
    const { sub, email } = victim();
    // The attacker fills in the real sign-up form with the victim's address and a password of their own.
    const flow = await startFlow(server);
    const signedUp = await post(flow, `/interaction/${flow.uid}/signup`, { email, name: 'Attacker', password: ATTACKER_PASSWORD });
    expect(signedUp.status).toBe(303);
    const planted = await server.db.knex('users').where({ email }).first();
    expect(planted).toMatchObject({ email_verified: false });

    const { claims } = await socialSignIn(server, rpParty, rp, 'acme');
    // The victim proved the address: the account is theirs, with the upstream identity linked.
    expect(claims.sub).toBe(planted.id);
    const after = await server.db.knex('users').where({ id: planted.id }).first();
    expect(after).toMatchObject({ email_verified: true, password_hash: null });
    expect(await server.db.knex('auth_providers').where({ user_id: planted.id }).pluck('provider_id')).toEqual([sub]);
    // The password the attacker chose never became the account's.
    const attempt = await startFlow(server);
    expect((await post(attempt, `/interaction/${attempt.uid}/password`, { email, password: ATTACKER_PASSWORD })).status).toBe(401);
  });

  it('an unproved account holding a password, a session, tokens and an identity of the attacker\'s loses them all to the address\'s owner', async () => {
    const { sub, email } = victim();
    // As an import or an admin's edit could leave it: the address unproved, the attacker's credentials on it.
    const attackerId = await server.createUser({ email, email_verified: false, password_hash: await hashPassword(ATTACKER_PASSWORD) });
    await server.db.knex('auth_providers').insert({ user_id: attackerId, type: 'acme', provider_id: `attacker-${sub}`, email: 'attacker@evil.example', claims: '{}' });
    const attacker = await signInWithTokens(server, { userId: attackerId, email });
    expect(await attacker.silent(server.url)).toBe('code');

    const { claims } = await socialSignIn(server, rpParty, rp, 'acme');
    expect(claims.sub).toBe(attackerId);
    const row = await server.db.knex('users').where({ id: attackerId }).first();
    expect(row).toMatchObject({ email_verified: true, password_hash: null });
    expect(await server.db.knex('auth_providers').where({ user_id: attackerId }).pluck('provider_id')).toEqual([sub]);
    // The attacker's browser session and tokens are over.
    expect(await attacker.silent(server.url)).not.toBe('code');
    await expect(rp.refresh(attacker.tokens.refresh_token!)).rejects.toThrow();
    const attempt = await startFlow(server);
    expect((await post(attempt, `/interaction/${attempt.uid}/password`, { email, password: ATTACKER_PASSWORD })).status).toBe(401);
    const events = await server.db.knex('audit_events').where({ subject_id: attackerId }).pluck('type');
    expect(events).toEqual(expect.arrayContaining(['email.verified', 'grant.revoked', 'identity.linked']));
  });

  it('never links to an account that proved the address until that account is signed in to, in the same interaction', async () => {
    const { sub, email } = victim();
    const password = 'the owner keeps this passphrase';
    const ownerId = await server.createUser({ email, email_verified: true, password_hash: await hashPassword(password) });

    const start = await openSignInPage(server, rp);
    const landed = await socialRoundTrip(start, 'acme', rpParty);
    // The sign-in page again, asking for the account's own sign-in; nothing linked, no session.
    expect(landed.response?.status).toBe(200);
    const page = await landed.response!.text();
    expect(page).toContain('Sign in to it below to link the two');
    expect(page).toContain(`value="${email}"`);
    expect(await server.db.knex('auth_providers').where({ type: 'acme', provider_id: sub }).first()).toBeUndefined();

    // A wrong password links nothing; the right one (in this interaction) links and signs in.
    expect((await start.browser.post(`/interaction/${start.uid}/password`, { csrf: start.csrf, email, password: 'not it at all, sorry' })).status).toBe(401);
    expect(await server.db.knex('auth_providers').where({ type: 'acme', provider_id: sub }).first()).toBeUndefined();
    const proved = await start.browser.post(`/interaction/${start.uid}/password`, { csrf: start.csrf, email, password });
    expect(proved.status).toBe(303);
    const done = await start.browser.followFrom(proved, (url) => url.href.startsWith(rpParty.callbackUrl));
    const tokens = await rp.finish(done.url, start.request);
    expect(tokens.claims()!.sub).toBe(ownerId);
    expect(tokens.claims()!.amr).toEqual(['pwd']);
    expect((await server.db.knex('auth_providers').where({ type: 'acme', provider_id: sub }).first()).user_id).toBe(ownerId);

    // Next time the upstream alone signs the owner in.
    expect((await socialSignIn(server, rpParty, rp, 'acme')).claims.sub).toBe(ownerId);
  });

  it('signing in to another account after the prompt links nothing', async () => {
    const { sub, email } = victim();
    await server.createUser({ email, email_verified: true });
    const otherEmail = `other-${randomBytes(3).toString('hex')}@example.com`;
    const otherPassword = 'someone else entirely here';
    await server.createUser({ email: otherEmail, password_hash: await hashPassword(otherPassword) });
    const start = await openSignInPage(server, rp);
    const landed = await socialRoundTrip(start, 'acme', rpParty);
    expect(landed.response?.status).toBe(200);
    expect((await start.browser.post(`/interaction/${start.uid}/password`, { csrf: start.csrf, email: otherEmail, password: otherPassword })).status).toBe(303);
    expect(await server.db.knex('auth_providers').where({ type: 'acme', provider_id: sub }).first()).toBeUndefined();
  });

  it('an upstream address that is not verified captures nothing: a new account without it, the owner\'s account untouched', async () => {
    for (const unverified of [false, 'true', 'absent']) {
      const { sub, email } = victim(unverified);
      // No email_verified claim at all.
      if (unverified === 'absent') delete upstream.accounts.get(sub)!.email_verified;
      const ownerId = await server.createUser({ email, email_verified: true });
      const { claims } = await socialSignIn(server, rpParty, rp, 'acme');
      expect(claims.sub).not.toBe(ownerId);
      expect(await server.db.knex('users').where({ id: claims.sub }).first()).toMatchObject({ email: null, email_verified: false });
      expect((await server.db.knex('auth_providers').where({ type: 'acme', provider_id: sub }).first()).user_id).toBe(claims.sub);
      expect(await server.db.knex('auth_providers').where({ user_id: ownerId }).first()).toBeUndefined();
    }
  });
});
