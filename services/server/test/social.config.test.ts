import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/env.ts';
import { appleClientSecret } from '../src/social/apple.ts';
import { PageClient } from './support/hosted-flow.ts';
import { startRelyingParty, type RelyingParty, type RpClient } from './support/rp.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { errorPage, openSignInPage, pressUpstream } from './support/social-flow.ts';

/**
 * Upstreams are configured by environment variables: a half-configured one
 * fails at boot naming what is missing (never echoing a value); Apple's
 * client secret is an ES256 JWT from the team's key; Google and Apple get
 * the authorization requests they document, and Apple's form_post answer
 * comes back to this browser through a one-time handle.
 */
const appleKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const APPLE_PEM = appleKey.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const SECRET = 'do-not-echo-this-secret-value';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const list = (error as ConfigError).problems;
    expect(list.join('\n')).not.toContain(SECRET);
    return list;
  }
  throw new Error('expected a ConfigError');
};

const apple = { LATCHKEY_APPLE_CLIENT_ID: 'com.example.signin', LATCHKEY_APPLE_TEAM_ID: 'TEAM123456', LATCHKEY_APPLE_KEY_ID: 'KEY1234567', LATCHKEY_APPLE_PRIVATE_KEY: APPLE_PEM };

describe('social upstream configuration', () => {
  it('is off without variables, and on with each upstream configured', () => {
    expect(loadConfig({}).social).toEqual([]);
    const config = loadConfig({
      LATCHKEY_GITHUB_CLIENT_ID: 'gh', LATCHKEY_GITHUB_CLIENT_SECRET: SECRET, LATCHKEY_GITHUB_URL: 'https://ghe.example.com/',
      LATCHKEY_GOOGLE_CLIENT_ID: 'go', LATCHKEY_GOOGLE_CLIENT_SECRET: SECRET,
      ...apple, LATCHKEY_APPLE_PRIVATE_KEY: APPLE_PEM.replaceAll('\n', '\\n'),
      LATCHKEY_OIDC_ACME_CORP_ISSUER: 'https://login.acme.example', LATCHKEY_OIDC_ACME_CORP_CLIENT_ID: 'c', LATCHKEY_OIDC_ACME_CORP_CLIENT_SECRET: SECRET,
      LATCHKEY_OIDC_ZED_ISSUER: 'https://zed.example', LATCHKEY_OIDC_ZED_CLIENT_ID: 'z', LATCHKEY_OIDC_ZED_CLIENT_SECRET: SECRET, LATCHKEY_OIDC_ZED_LABEL: 'Zed Workspace',
    });
    expect(config.social.map((upstream) => [upstream.id, upstream.label])).toEqual([
      ['github', 'GitHub'], ['google', 'Google'], ['apple', 'Apple'], ['acme_corp', 'ACME_CORP'], ['zed', 'Zed Workspace'],
    ]);
    expect(config.social[0]).toMatchObject({ baseUrl: 'https://ghe.example.com' });
  });

  it('names the missing variable of a half-configured upstream, without echoing any value', () => {
    expect(problems({ LATCHKEY_GITHUB_CLIENT_ID: 'gh' })).toEqual(['LATCHKEY_GITHUB_CLIENT_SECRET is required when LATCHKEY_GITHUB_CLIENT_ID is set']);
    expect(problems({ LATCHKEY_GOOGLE_CLIENT_SECRET: SECRET })).toEqual(['LATCHKEY_GOOGLE_CLIENT_ID is required when LATCHKEY_GOOGLE_CLIENT_SECRET is set']);
    expect(problems({ LATCHKEY_GITHUB_URL: 'https://ghe.example.com' })).toEqual(['LATCHKEY_GITHUB_CLIENT_ID is required when LATCHKEY_GITHUB_URL is set']);
    const { LATCHKEY_APPLE_PRIVATE_KEY: _key, ...appleWithoutKey } = apple;
    expect(problems(appleWithoutKey)).toEqual(['LATCHKEY_APPLE_PRIVATE_KEY is required when LATCHKEY_APPLE_CLIENT_ID is set']);
    expect(problems({ LATCHKEY_OIDC_ACME_ISSUER: 'https://login.acme.example', LATCHKEY_OIDC_ACME_CLIENT_ID: 'c' })).toEqual([
      'LATCHKEY_OIDC_ACME_CLIENT_SECRET is required to configure the ACME upstream',
    ]);
  });

  it('refuses malformed values with a message naming the variable', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const list = problems({
      LATCHKEY_GITHUB_CLIENT_ID: 'gh', LATCHKEY_GITHUB_CLIENT_SECRET: SECRET, LATCHKEY_GITHUB_URL: `ftp://${SECRET}.example`,
      ...apple, LATCHKEY_APPLE_TEAM_ID: 'short', LATCHKEY_APPLE_PRIVATE_KEY: rsa,
      LATCHKEY_OIDC_acme_ISSUER: 'https://x.example',
      LATCHKEY_OIDC_GITHUB_ISSUER: 'https://x.example', LATCHKEY_OIDC_GITHUB_CLIENT_ID: 'x', LATCHKEY_OIDC_GITHUB_CLIENT_SECRET: SECRET,
      LATCHKEY_OIDC_BAD_ISSUER: 'not a url', LATCHKEY_OIDC_BAD_CLIENT_ID: 'x', LATCHKEY_OIDC_BAD_CLIENT_SECRET: SECRET,
      LATCHKEY_OIDC_ACME_SCOPES: 'openid',
    });
    expect(list.map((problem) => problem.split(/[ :]/)[0]).sort()).toEqual(
      ['LATCHKEY_APPLE_PRIVATE_KEY', 'LATCHKEY_APPLE_TEAM_ID', 'LATCHKEY_GITHUB_URL', 'LATCHKEY_OIDC_ACME_SCOPES', 'LATCHKEY_OIDC_BAD_ISSUER', 'LATCHKEY_OIDC_GITHUB_ISSUER', 'LATCHKEY_OIDC_acme_ISSUER'].sort(),
    );
    expect(list.join('\n')).not.toContain('BEGIN PRIVATE KEY');
  });

  it('wants https upstreams in production', () => {
    const base = { NODE_ENV: 'production', LATCHKEY_ISSUER: 'https://id.example.com', LATCHKEY_SECRETS: 'x'.repeat(32) };
    expect(problems({ ...base, LATCHKEY_OIDC_ACME_ISSUER: 'http://login.acme.example', LATCHKEY_OIDC_ACME_CLIENT_ID: 'c', LATCHKEY_OIDC_ACME_CLIENT_SECRET: SECRET })).toEqual([
      'LATCHKEY_OIDC_ACME_ISSUER must be an https:// URL when NODE_ENV=production',
    ]);
  });

  it("makes Apple's client secret an ES256 JWT naming the key, the team and the service, for Apple, short-lived", async () => {
    const now = Date.now();
    const secret = appleClientSecret({ clientId: apple.LATCHKEY_APPLE_CLIENT_ID, teamId: apple.LATCHKEY_APPLE_TEAM_ID, keyId: apple.LATCHKEY_APPLE_KEY_ID, privateKey: APPLE_PEM }, now);
    expect(decodeProtectedHeader(secret)).toEqual({ alg: 'ES256', kid: 'KEY1234567', typ: 'JWT' });
    const publicKey = await importSPKI(appleKey.publicKey.export({ format: 'pem', type: 'spki' }).toString(), 'ES256');
    const { payload } = await jwtVerify(secret, publicKey, { issuer: 'TEAM123456', audience: 'https://appleid.apple.com', subject: 'com.example.signin', currentDate: new Date(now) });
    expect(payload.exp! - payload.iat!).toBeGreaterThan(0);
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(15_777_000); // Apple's limit: six months
    await expect(jwtVerify(secret, await importSPKI(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString(), 'ES256'))).rejects.toThrow();
  });
});

describe('Google and Apple authorization requests', () => {
  let server: TestServer;
  let rpParty: RelyingParty;
  let rp: RpClient;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_GOOGLE_CLIENT_ID: 'google-client', LATCHKEY_GOOGLE_CLIENT_SECRET: SECRET, ...apple } });
    rpParty = await startRelyingParty();
    rp = await rpParty.register(server, { firstParty: true });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await rpParty?.close();
  });

  it('sends Google the code flow with PKCE S256, state, nonce and the openid email profile scope', async () => {
    const start = await openSignInPage(server, rp);
    expect(start.page).toContain('>Continue with Google</button>');
    const location = new URL((await pressUpstream(start, 'google')).headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      response_type: 'code', client_id: 'google-client', redirect_uri: `${server.issuer}/social/google/callback`, scope: 'openid email profile', code_challenge_method: 'S256',
    });
    for (const name of ['state', 'nonce', 'code_challenge']) expect(location.searchParams.get(name)).toMatch(/^[\w-]{43}$/);
  });

  it('sends Apple response_mode=form_post with state and nonce, and brings its cross-site POST back to this browser through a one-time handle', async () => {
    const start = await openSignInPage(server, rp);
    expect(start.page).toContain('>Continue with Apple</button>');
    const location = new URL((await pressUpstream(start, 'apple')).headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://appleid.apple.com/auth/authorize');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      response_type: 'code', response_mode: 'form_post', client_id: 'com.example.signin', redirect_uri: `${server.issuer}/social/apple/callback`, scope: 'name email',
    });
    const state = location.searchParams.get('state')!;
    expect(state).toMatch(/^[\w-]{43}$/);
    expect(location.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);

    // Apple's answer: a POST from appleid.apple.com, so without this browser's (SameSite=Lax) cookies.
    const cookieless = new PageClient(server.issuer);
    const posted = await cookieless.post('/social/apple/callback', { state, code: 'apple-code', user: '{"name":{"firstName":"Ada"}}' });
    expect(posted.status).toBe(303);
    const handoff = new URL(posted.headers.get('location')!, server.issuer);
    expect(handoff.pathname).toBe(`/interaction/${start.uid}/social/apple/callback`);
    expect(handoff.searchParams.get('handoff')).toMatch(/^[\w-]{43}$/);
    expect(handoff.search).not.toContain('apple-code');
    // Another browser cannot use the handle: it has no such interaction.
    expect((await errorPage(await cookieless.get(handoff))).status).toBe(400);
    // This browser can; the code then goes to Apple's token endpoint, which these tests cannot reach: an upstream error page.
    const finished = await errorPage(await start.browser.get(handoff));
    expect(finished.status).toBe(400);
    expect(finished.text).toMatch(/Apple could not complete the sign-in|expired/);
    // The handle and the state were both used once.
    expect((await errorPage(await start.browser.get(handoff))).status).toBe(400);
    expect((await errorPage(await cookieless.post('/social/apple/callback', { state, code: 'again' }))).status).toBe(400);
  }, 60_000);
});
