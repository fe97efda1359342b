import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitHubEnv, startGitHubStandIn, type GitHubStandIn, type GitHubUser } from './support/github-standin.ts';
import { startRelyingParty, type RelyingParty, type RpClient } from './support/rp.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { openSignInPage, pressUpstream, socialSignIn } from './support/social-flow.ts';

/**
 * GitHub through passport-github2, against a local server that answers like
 * GitHub Enterprise Server (LATCHKEY_GITHUB_URL): its OAuth endpoints with
 * PKCE and its REST API's /user and /user/emails. Only the primary address
 * GitHub marks verified counts as verified.
 */
describe('social sign-in with GitHub (Enterprise Server paths)', () => {
  let github: GitHubStandIn;
  let server: TestServer;
  let rpParty: RelyingParty;
  let rp: RpClient;
  let id = 1000;
  const person = (emails: GitHubUser['emails']) => {
    id += 1;
    github.users.set(id, { id, login: `octo${id}`, name: `Octo ${id}`, emails });
    github.next = id;
    return id;
  };

  beforeAll(async () => {
    github = await startGitHubStandIn();
    server = await startTestServer({ env: gitHubEnv(github) });
    rpParty = await startRelyingParty();
    rp = await rpParty.register(server, { firstParty: true });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await github?.close();
    await rpParty?.close();
  });

  it('sends the person to the Enterprise Server authorize URL with state, PKCE S256 and the user:email scope', async () => {
    person([{ email: 'x@example.org', primary: true, verified: true }]);
    const start = await openSignInPage(server, rp);
    expect(start.page).toContain('>Continue with GitHub</button>');
    const pressed = await pressUpstream(start, 'github');
    expect(pressed.status).toBe(303);
    const authorize = new URL(pressed.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${github.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe(github.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${server.issuer}/social/github/callback`);
    expect(authorize.searchParams.get('scope')).toBe('read:user,user:email');
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  });

  it('signs in end to end with the primary verified address; the token request carried the PKCE verifier', async () => {
    const githubId = person([
      { email: `other${id + 1}@example.org`, primary: false, verified: true },
      { email: `octo${id + 1}@example.org`, primary: true, verified: true },
    ]);
    const { claims } = await socialSignIn(server, rpParty, rp, 'github');
    expect(claims.amr).toEqual(['fed']);
    const user = await server.db.knex('users').where({ id: claims.sub }).first();
    expect(user).toMatchObject({ email: `octo${githubId}@example.org`, email_verified: true, display_name: `Octo ${githubId}` });
    const row = await server.db.knex('auth_providers').where({ type: 'github', provider_id: String(githubId) }).first();
    expect(row.user_id).toBe(claims.sub);
    expect(row.claims).toMatchObject({ id: githubId, login: `octo${githubId}`, email: `octo${githubId}@example.org`, email_verified: true });
    const token = github.tokenRequests.at(-1)!;
    expect(token.get('code_verifier')).toMatch(/^[\w-]{43}$/);
    expect(token.get('redirect_uri')).toBe(`${server.issuer}/social/github/callback`);
  });

  it('does not trust a primary address GitHub has not verified: the account gets no address', async () => {
    const githubId = person([{ email: `unverified${id + 1}@example.org`, primary: true, verified: false }]);
    const { claims } = await socialSignIn(server, rpParty, rp, 'github');
    const user = await server.db.knex('users').where({ id: claims.sub }).first();
    expect(user).toMatchObject({ email: null, email_verified: false });
    const row = await server.db.knex('auth_providers').where({ type: 'github', provider_id: String(githubId) }).first();
    expect(row).toMatchObject({ email: `unverified${githubId}@example.org` });
    expect(row.claims.email_verified).toBe(false);
  });
});
