import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOidcUpstream, upstreamEnv, type OidcUpstream } from './support/oidc-upstream.ts';
import { startRelyingParty, type RelyingParty, type RpClient } from './support/rp.ts';
import { canUseRealServices, freePort, startTestServer, type TestServer } from './support/server.ts';
import { openSignInPage, pressUpstream, socialSignIn } from './support/social-flow.ts';

/**
 * Social sign-in end to end against a second, real oidc-provider as the
 * generic OpenID Connect upstream (LATCHKEY_OIDC_ACME_*): the RP's
 * authorization request, the "Continue with" button, the upstream's code
 * flow (state, nonce, PKCE), the account, the auth_providers row, and the
 * RP's ID token (signature checked) with amr ['fed'].
 */
describe.each(canUseRealServices ? (['pglite', 'postgres'] as const) : (['pglite'] as const))('social sign-in with a generic OIDC upstream (%s)', (backend) => {
  let upstream: OidcUpstream;
  let server: TestServer;
  let rpParty: RelyingParty;
  let rp: RpClient;
  let n = 0;
  const person = (claims: { email_verified?: unknown; name?: string } = {}) => {
    const sub = `person-${backend}-${(n += 1)}`;
    upstream.accounts.set(sub, { email: `${sub}@upstream.example`, email_verified: true, name: 'Grace Hopper', ...claims });
    upstream.next = sub;
    return { sub, email: `${sub}@upstream.example` };
  };

  beforeAll(async () => {
    const port = await freePort();
    upstream = await startOidcUpstream([`http://localhost:${port}/social/acme/callback`]);
    server = await startTestServer({ backend, port, env: upstreamEnv('ACME', upstream, 'Acme Corp') });
    rpParty = await startRelyingParty();
    rp = await rpParty.register(server, { firstParty: true });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    await rpParty?.close();
  });

  it('shows a CSRF-protected "Continue with" button labelled from LATCHKEY_OIDC_ACME_LABEL', async () => {
    const start = await openSignInPage(server, rp);
    expect(start.page).toMatch(new RegExp(`formaction="/interaction/${start.uid}/social/acme"[^>]*>Continue with Acme Corp</button>`));
    expect(start.page).not.toMatch(/<script(?![^>]*src=)/);
    const forged = await start.browser.post(`/interaction/${start.uid}/social/acme`, {});
    expect(forged.status).toBe(403);
    const unknown = await start.browser.post(`/interaction/${start.uid}/social/nope`, { csrf: start.csrf });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('There is no such way to sign in here.');
  });

  it('sends the upstream state, nonce and PKCE S256, with the redirect URI from the issuer (not the Host header)', async () => {
    person();
    const start = await openSignInPage(server, rp);
    start.browser.headers = { 'x-forwarded-host': 'evil.example' };
    const pressed = await pressUpstream(start, 'acme');
    expect(pressed.status).toBe(303);
    const authorize = new URL(pressed.headers.get('location')!);
    expect(authorize.origin).toBe(upstream.issuer);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${server.issuer}/social/acme/callback`);
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('scope')).toBe('openid email profile');
    // What the flow keeps is in the store under oauth_state:{state}, not in a cookie.
    expect(pressed.headers.getSetCookie().join('\n')).not.toMatch(/state|verifier/i);
    expect(await server.store.get(`oauth_state:${authorize.searchParams.get('state')}`)).toContain('"codeVerifier"');
  });

  it('signs a new person in end to end: a verified account, the identity with its claims, and amr fed in the ID token', async () => {
    const { sub, email } = person();
    const { claims } = await socialSignIn(server, rpParty, rp, 'acme');
    expect(claims.amr).toEqual(['fed']);
    expect(claims.acr).toBe('aal1');
    const user = await server.db.knex('users').where({ id: claims.sub }).first();
    expect(user).toMatchObject({ email, email_verified: true, display_name: 'Grace Hopper', password_hash: null });
    const row = await server.db.knex('auth_providers').where({ type: 'acme', provider_id: sub }).first();
    expect(row.user_id).toBe(claims.sub);
    expect(row.email).toBe(email);
    expect(row.claims).toMatchObject({ sub, iss: upstream.issuer, email, email_verified: true, name: 'Grace Hopper' });
    expect(row.claims).not.toHaveProperty('nonce');
    expect(row.last_used_at).not.toBeNull();
    const events = await server.db.knex('audit_events').where({ subject_id: claims.sub }).pluck('type');
    expect(events).toEqual(expect.arrayContaining(['sign_up', 'identity.linked', 'sign_in.success']));
  });

  it('signs the same identity in to the same account next time, with the claims refreshed', async () => {
    const { sub } = person();
    const first = await socialSignIn(server, rpParty, rp, 'acme');
    upstream.accounts.set(sub, { ...upstream.accounts.get(sub)!, name: 'Rear Admiral Hopper' });
    const second = await socialSignIn(server, rpParty, rp, 'acme');
    expect(second.claims.sub).toBe(first.claims.sub);
    const rows = await server.db.knex('auth_providers').where({ user_id: first.claims.sub });
    expect(rows).toHaveLength(1);
    expect(rows[0].claims.name).toBe('Rear Admiral Hopper');
    expect(await server.db.knex('users').where({ id: first.claims.sub }).first('display_name')).toEqual({ display_name: 'Grace Hopper' });
  });
});
