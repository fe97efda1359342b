import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitHubEnv, startGitHubStandIn, type GitHubStandIn } from './support/github-standin.ts';
import { PageClient } from './support/hosted-flow.ts';
import { startOidcUpstream, upstreamEnv, type OidcUpstream } from './support/oidc-upstream.ts';
import { startRelyingParty, type RelyingParty, type RpClient } from './support/rp.ts';
import { freePort, startTestServer, type TestServer } from './support/server.ts';
import { errorPage, openSignInPage, pressUpstream, socialRoundTrip, upstreamAnswer } from './support/social-flow.ts';

/**
 * Whatever an upstream does wrong — the person says no, its discovery or
 * token endpoint is down, it refuses the code, its ID token is forged or
 * meant for someone else — the person gets a hosted page with a 4xx and a
 * way back, never a 500; nobody is signed in and nothing is linked.
 */
describe('social sign-in when the upstream fails', () => {
  let upstream: OidcUpstream;
  let github: GitHubStandIn;
  let server: TestServer;
  let rpParty: RelyingParty;
  let rp: RpClient;
  let n = 0;
  const person = () => {
    const sub = `err-${(n += 1)}`;
    upstream.accounts.set(sub, { email: `${sub}@example.net`, email_verified: true });
    upstream.next = sub;
    return sub;
  };
  const failedRoundTrip = async (name = 'acme') => {
    const start = await openSignInPage(server, rp);
    const landed = await socialRoundTrip(start, name, rpParty);
    return { start, ...(await errorPage(landed.response)) };
  };

  beforeAll(async () => {
    const port = await freePort();
    upstream = await startOidcUpstream([`http://localhost:${port}/social/acme/callback`]);
    github = await startGitHubStandIn();
    const closed = await freePort();
    server = await startTestServer({
      port,
      env: { ...upstreamEnv('ACME', upstream), ...gitHubEnv(github), LATCHKEY_OIDC_GONE_ISSUER: `http://127.0.0.1:${closed}`, LATCHKEY_OIDC_GONE_CLIENT_ID: 'x', LATCHKEY_OIDC_GONE_CLIENT_SECRET: 'y' },
    });
    rpParty = await startRelyingParty();
    rp = await rpParty.register(server, { firstParty: true });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    await github?.close();
    await rpParty?.close();
  });

  it('access_denied at the upstream: a page saying so, with the way back to the sign-in page', async () => {
    person();
    upstream.deny = true;
    try {
      const { start, status, text } = await failedRoundTrip();
      expect(status).toBe(400);
      expect(text).toContain('The sign-in with ACME was cancelled.');
      expect(text).toContain(`href="/interaction/${start.uid}"`);
      // The way back still works: the sign-in page of the same interaction.
      expect((await start.browser.get(`/interaction/${start.uid}`)).status).toBe(200);
    } finally {
      upstream.deny = false;
    }
  });

  it('GitHub denying access, refusing the code, or its token endpoint down: a page, not a 500', async () => {
    github.users.set(7, { id: 7, login: 'octo7', name: null, emails: [{ email: 'octo7@example.org', primary: true, verified: true }] });
    github.next = 7;
    github.deny = true;
    expect((await failedRoundTrip('github')).text).toContain('The sign-in with GitHub was cancelled.');
    github.deny = false;
    github.tokenEndpointDown = true;
    const down = await failedRoundTrip('github');
    expect(down.status).toBe(400);
    expect(down.text).toContain('GitHub could not complete the sign-in');
    github.tokenEndpointDown = false;
    // A code GitHub does not know: its 200-with-error answer.
    const start = await openSignInPage(server, rp);
    const callback = await upstreamAnswer(start, 'github');
    callback.searchParams.set('code', 'not-a-code');
    const refused = await start.browser.follow(callback, (url) => url.href.startsWith(rpParty.callbackUrl));
    expect((await errorPage(refused.response)).status).toBe(400);
    expect(await server.db.knex('auth_providers').where({ type: 'github', provider_id: '7' }).first()).toBeUndefined();
  });

  it('the OIDC token endpoint down, a forged ID token signature, another nonce or audience: a page, nothing linked', async () => {
    const modes: OidcUpstream['tokenEndpoint'][] = [
      'down',
      'bad-signature',
      { claims: (claims) => ({ ...claims, nonce: 'someone-elses-nonce' }) },
      { claims: (claims) => ({ ...claims, aud: 'another-client' }) },
      { claims: (claims) => ({ ...claims, iss: 'https://evil.example' }) },
    ];
    for (const mode of modes) {
      const sub = person();
      upstream.tokenEndpoint = mode;
      try {
        const { status, text } = await failedRoundTrip();
        expect(status, JSON.stringify(mode)).toBe(400);
        expect(text).toContain('ACME could not complete the sign-in');
      } finally {
        upstream.tokenEndpoint = 'ok';
      }
      expect(await server.db.knex('auth_providers').where({ type: 'acme', provider_id: sub }).first()).toBeUndefined();
    }
  });

  it('an upstream whose discovery cannot be reached: a page at the start, and the sign-in page still works', async () => {
    const start = await openSignInPage(server, rp);
    const pressed = await pressUpstream(start, 'gone');
    const page = await errorPage(pressed);
    expect(page.status).toBe(400);
    expect(page.text).toContain('GONE could not complete the sign-in');
    expect((await new PageClient(server.issuer).get('/social/gone/callback?state=x&code=y')).status).toBe(400);
  });
});
