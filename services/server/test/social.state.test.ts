import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageClient } from './support/hosted-flow.ts';
import { startOidcUpstream, upstreamEnv, type OidcUpstream } from './support/oidc-upstream.ts';
import { startRelyingParty, type RelyingParty, type RpClient } from './support/rp.ts';
import { canUseRealServices, freePort, startTestServer, type TestServer } from './support/server.ts';
import { errorPage, openSignInPage, upstreamAnswer } from './support/social-flow.ts';

/**
 * The upstream round trip's state: taken once (a replayed callback is
 * refused), bound to the browser that started it (another browser's
 * callback is refused: no login CSRF), and carrying the PKCE verifier (a
 * code from another flow, or a flow without its verifier, is refused).
 */
describe.each(canUseRealServices ? (['pglite', 'postgres'] as const) : (['pglite'] as const))('social sign-in state (%s)', (backend) => {
  let upstream: OidcUpstream;
  let server: TestServer;
  let rpParty: RelyingParty;
  let rp: RpClient;
  let n = 0;
  const person = () => {
    const sub = `state-${backend}-${(n += 1)}`;
    upstream.accounts.set(sub, { email: `${sub}@example.net`, email_verified: true });
    upstream.next = sub;
    return sub;
  };
  const linked = async (sub: string) => server.db.knex('auth_providers').where({ type: 'acme', provider_id: sub }).first();

  beforeAll(async () => {
    const port = await freePort();
    upstream = await startOidcUpstream([`http://localhost:${port}/social/acme/callback`]);
    server = await startTestServer({ backend, port, env: upstreamEnv('ACME', upstream) });
    rpParty = await startRelyingParty();
    rp = await rpParty.register(server, { firstParty: true });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    await rpParty?.close();
  });

  it('takes the state once: the same callback a second time is refused', async () => {
    person();
    const start = await openSignInPage(server, rp);
    const callback = await upstreamAnswer(start, 'acme');
    const first = await start.browser.follow(callback, (url) => url.href.startsWith(rpParty.callbackUrl));
    expect(first.response).toBeUndefined();
    // The same browser, the same URL again: the state is gone.
    const replay = await start.browser.follow(callback);
    const page = await errorPage(replay.response);
    expect(page.status).toBe(400);
    expect(page.text).toContain('This sign-in has expired or was started in another browser');
  });

  it('refuses a callback from a flow another browser started (no login CSRF)', async () => {
    const attackerSub = person();
    const attacker = await openSignInPage(server, rp);
    const planted = await upstreamAnswer(attacker, 'acme');
    const victim = await openSignInPage(server, rp, new PageClient(server.issuer));
    const opened = await victim.browser.follow(planted, (url) => url.href.startsWith(rpParty.callbackUrl));
    expect((await errorPage(opened.response)).status).toBe(400);
    // Nothing came of it: no identity linked, the victim's browser has no session.
    expect(await linked(attackerSub)).toBeUndefined();
    expect(victim.browser.jar.header()).not.toMatch(/(^|; )_session=/);
    // And the attacker's own flow still works for the attacker (their state was not taken by the victim's hop).
    const own = await attacker.browser.follow(planted, (url) => url.href.startsWith(rpParty.callbackUrl));
    expect(own.response).toBeUndefined();
  });

  it('refuses a code from another flow (PKCE): the upstream will not redeem it with this flow\'s verifier', async () => {
    const victimSub = person();
    const victim = await openSignInPage(server, rp);
    const victimCallback = await upstreamAnswer(victim, 'acme');
    const attackerSub = person();
    const attacker = await openSignInPage(server, rp, new PageClient(server.issuer));
    const attackerCallback = await upstreamAnswer(attacker, 'acme');
    // The attacker's code, injected into the victim's own callback (right state, right browser).
    const injected = new URL(victimCallback);
    injected.searchParams.set('code', attackerCallback.searchParams.get('code')!);
    const opened = await victim.browser.follow(injected, (url) => url.href.startsWith(rpParty.callbackUrl));
    const page = await errorPage(opened.response);
    expect(page.status).toBe(400);
    expect(page.text).toContain('could not complete the sign-in');
    expect(await linked(attackerSub)).toBeUndefined();
    expect(await linked(victimSub)).toBeUndefined();
  });

  it('refuses a flow that lost its PKCE verifier', async () => {
    person();
    const start = await openSignInPage(server, rp);
    const callback = await upstreamAnswer(start, 'acme');
    const key = `oauth_state:${callback.searchParams.get('state')}`;
    const { codeVerifier: _dropped, ...record } = JSON.parse((await server.store.get(key))!);
    await server.store.set(key, JSON.stringify(record), 600);
    const opened = await start.browser.follow(callback, (url) => url.href.startsWith(rpParty.callbackUrl));
    expect((await errorPage(opened.response)).status).toBe(400);
  });

  it('answers unknown, missing and malformed state with the expired page', async () => {
    const browser = new PageClient(server.issuer);
    for (const query of ['', '?code=abc', `?code=abc&state=${'A'.repeat(43)}`, '?code=abc&state=%00', '?state[]=x&code=y', '?error=access_denied']) {
      const response = await browser.get(`/social/acme/callback${query}`);
      expect((await errorPage(response)).status, query).toBe(400);
    }
    expect((await errorPage(await browser.get('/social/nope/callback?state=x'))).status).toBe(400);
    expect((await errorPage(await browser.post('/social/acme/callback', { state: 'x', code: 'y' }))).status).toBe(400);
  });
});
