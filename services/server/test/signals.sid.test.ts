import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairwiseSessionId } from '../src/signals/pairwise.ts';
import { apiIdentifier, clientCredentialsToken, startApiTestServer } from './support/api.ts';
import { authorize, CookieJar } from './support/browser.ts';
import type { TestServer } from './support/server.ts';

/**
 * Access tokens name their browser session (`sid`) the way that API alone
 * sees it: pairwiseSessionId(audience, session uid). Shared Signals name the
 * same id in session-revoked events, so an API can refuse a session's JWTs
 * without learning the session's real uid or linking it across APIs.
 */
describe('JWT access tokens carry a pairwise session id', () => {
  let server: TestServer;
  const other = 'https://sid-other.api.example.test';

  beforeAll(async () => {
    server = await startApiTestServer();
    await server.createResource(other, ['read:things']);
  });
  afterAll(() => server?.stop());

  /** One code flow in `jar`'s browser session for `resource`, returning the access token's claims. */
  async function tokenFor(jar: CookieJar, userId: string, resource: string, scope: string) {
    const { client_id, client_secret, redirect_uri } = await server.createClient({ scope: `openid ${scope}` });
    const config = await client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri, scope: `openid ${scope}`, resource, prompt: 'consent', state: 'st',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const callback = await authorize(url, userId, redirect_uri, jar);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'st' }, { resource });
    return decodeJwt(tokens.access_token);
  }

  it('a code-flow JWT has sid = pairwiseSessionId(its aud, the session uid); another API sees another sid for the same session', async () => {
    const userId = await server.createUser();
    const jar = new CookieJar();
    const api = apiIdentifier(server);
    const first = await tokenFor(jar, userId, api, 'account');
    const second = await tokenFor(jar, userId, other, 'read:things');

    const sessions = await server.db.knex('sessions').where({ user_id: userId }).select('uid');
    expect(sessions).toHaveLength(1);
    const uid = (sessions[0] as { uid: string }).uid;

    expect(first.aud).toBe(api);
    expect(first.sid).toBe(pairwiseSessionId(server.keyring, api, uid));
    expect(first.sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(typeof first.gid).toBe('string');
    expect(second.aud).toBe(other);
    expect(second.sid).toBe(pairwiseSessionId(server.keyring, other, uid));
    expect(second.sid).not.toBe(first.sid);
    // The real uid never reaches the API.
    expect(JSON.stringify([first, second])).not.toContain(uid);
  });

  it('a client-credentials JWT has no sid (and no grant)', async () => {
    const { token } = await clientCredentialsToken(server, ['users:read']);
    const claims = decodeJwt(token);
    expect(claims.aud).toBe(apiIdentifier(server));
    expect(claims).not.toHaveProperty('sid');
    expect(claims).not.toHaveProperty('gid');
  });
});
