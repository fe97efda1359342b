import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, updateClient } from '../src/clients/manage.ts';
import { revokeSession } from '../src/sessions/revoke.ts';
import { inputValue, isInteraction, PageClient, signInOnly } from './support/hosted-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** An RP's back-channel logout endpoint: answers 503 while `down`, else keeps each logout token. */
async function startLogoutReceiver() {
  const tokens: string[] = [];
  let refused = 0;
  const state = { down: false };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (state.down) {
        refused += 1;
        return res.writeHead(503).end();
      }
      const token = new URLSearchParams(body).get('logout_token');
      if (req.headers['content-type'] !== 'application/x-www-form-urlencoded' || !token) return res.writeHead(400).end();
      tokens.push(token);
      res.writeHead(200, { 'cache-control': 'no-store' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel-logout`,
    tokens,
    state,
    refusedCount: () => refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const waitFor = async <T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe('OpenID Back-Channel Logout through the outbox', () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startLogoutReceiver>>;

  beforeAll(async () => {
    server = await startTestServer({
      backend: canUseRealServices ? 'postgres' : 'pglite',
      backchannel: { pollMs: 50, retry: { baseDelayMs: 100, maxDelayMs: 200, maxAttempts: 100, maxAgeMs: 60_000 } },
    });
    receiver = await startLogoutReceiver();
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
  });

  /** A person signed in to an RP whose back-channel logout URI an operator set (or, `byOperator: false`, a registration). */
  async function signedIn(options: { byOperator?: boolean } = {}) {
    const created = await server.createClient({
      first_party: true,
      metadata: {
        backchannel_logout_uri: receiver.url,
        backchannel_logout_session_required: true,
        ...(options.byOperator === false ? {} : { operator_backchannel_logout_uri: receiver.url }),
      },
    });
    const config = await client.discovery(new URL(server.issuer), created.client_id, { client_secret: created.client_secret }, undefined, {
      execute: [client.allowInsecureRequests],
    });
    const isCallback = (url: URL) => url.href.startsWith(created.redirect_uri);
    const browser = new PageClient(server.issuer);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: created.redirect_uri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const login = await browser.follow(url, (u) => isInteraction(u) || isCallback(u));
    const callback = await browser.follow(await signInOnly(server, login.url, await server.createUser()), isCallback);
    const tokens = await client.authorizationCodeGrant(config, callback.url, { pkceCodeVerifier: verifier });
    return { browser, clientId: created.client_id, idToken: tokens.id_token!, claims: tokens.claims()! };
  }

  /** Validates a logout token as OpenID Back-Channel Logout 1.0 §2.6 asks an RP to. */
  async function validLogoutToken(token: string, clientId: string) {
    const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${server.issuer}/jwks`)), {
      issuer: server.issuer,
      audience: clientId,
      typ: 'logout+jwt',
      maxTokenAge: '2m',
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.events).toEqual({ [EVENT]: {} });
    expect(payload).not.toHaveProperty('nonce');
    expect(payload.jti).toEqual(expect.any(String));
    expect(payload.sub ?? payload.sid).toBeTruthy();
    return payload;
  }

  const tokensFor = (clientId: string) => receiver.tokens.filter((token) => decodeJwt(token).aud === clientId);
  const sessionUid = async (accountId: string) => {
    const row = await server.db.knex('sessions').where({ user_id: accountId, status: 'active' }).first('uid');
    return (row as { uid: string }).uid;
  };

  it('RP-initiated logout: the RP gets one logout token whose sub and sid are its ID token\'s', async () => {
    const { browser, clientId, idToken, claims } = await signedIn();
    expect(claims.sid).toEqual(expect.any(String));
    const page = await (await browser.get(`/session/end?${new URLSearchParams({ id_token_hint: idToken })}`)).text();
    const done = await browser.post('/session/end/confirm', { xsrf: inputValue(page, 'xsrf'), logout: 'yes' });
    expect(done.status).toBe(303);
    const [token] = await waitFor('the logout token', () => (tokensFor(clientId).length ? tokensFor(clientId) : undefined));
    const payload = await validLogoutToken(token!, clientId);
    expect(payload.sid).toBe(claims.sid);
    expect(payload.sub).toBe(claims.sub);
    await new Promise((r) => setTimeout(r, 300));
    expect(tokensFor(clientId)).toHaveLength(1);
  });

  it('a session revoked while the RP is down reaches it once it is back, exactly once', async () => {
    const { clientId, claims } = await signedIn();
    receiver.state.down = true;
    const refusedBefore = receiver.refusedCount();
    expect(await revokeSession({ knex: server.db.knex, store: server.store }, await sessionUid(claims.sub), 'revoked_by_admin', { actorType: 'operator', actorId: 'test' })).toBe(true);
    await waitFor('two refused attempts', () => (receiver.refusedCount() >= refusedBefore + 2 ? true : undefined));
    expect(tokensFor(clientId)).toHaveLength(0);
    receiver.state.down = false;
    const [token] = await waitFor('the logout token', () => (tokensFor(clientId).length ? tokensFor(clientId) : undefined));
    const payload = await validLogoutToken(token!, clientId);
    expect(payload.sid).toBe(claims.sid);
    await new Promise((r) => setTimeout(r, 500));
    expect(tokensFor(clientId)).toHaveLength(1);
    const rows = await server.db.knex('backchannel_logouts').where({ client_id: clientId }).select('status', 'trust', 'attempts');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'delivered', trust: 'operator' });
    expect(rows[0].attempts).toBeGreaterThanOrEqual(3);
  });

  it('a URI from dynamic registration (client trust) is never posted to at a private address', async () => {
    const { clientId, claims } = await signedIn({ byOperator: false });
    await revokeSession({ knex: server.db.knex, store: server.store }, await sessionUid(claims.sub), 'revoked_by_admin');
    const row = await waitFor('the refused delivery', async () => {
      const found = (await server.db.knex('backchannel_logouts').where({ client_id: clientId }).first('status', 'trust', 'last_error')) as
        | { status: string; trust: string; last_error: string }
        | undefined;
      return found?.status === 'failed' ? found : undefined;
    });
    expect(row).toMatchObject({ trust: 'client' });
    expect(row.last_error).toMatch(/not a public address/);
    expect(tokensFor(clientId)).toHaveLength(0);
  });

  it('an operator sets the URI (CLI and API path): operator-trusted, understood by the provider, removable', async () => {
    const deps = { knex: server.db.knex, keyring: server.keyring };
    const { client: created } = await createClient(deps, { name: `RP ${Date.now()}`, type: 'confidential', redirect_uris: ['https://rp.example/cb'], backchannel_logout_uri: receiver.url }, { actor: { actorType: 'operator' } });
    const row = await server.db.knex('clients').where({ id: created.client_id }).first('metadata');
    expect(row.metadata).toMatchObject({ backchannel_logout_uri: receiver.url, operator_backchannel_logout_uri: receiver.url, backchannel_logout_session_required: true });
    const known = await server.providers.current.Client.find(created.client_id);
    expect(known?.backchannelLogoutUri).toBe(receiver.url);
    expect(known?.metadata()).not.toHaveProperty('operator_backchannel_logout_uri');
    await expect(createClient(deps, { name: `RP bad ${Date.now()}`, type: 'confidential', redirect_uris: ['https://rp.example/cb'], backchannel_logout_uri: 'ftp://x/' }, { actor: { actorType: 'operator' } })).rejects.toMatchObject({ status: 400 });
    await updateClient(deps, created.client_id, { backchannel_logout_uri: null }, { actor: { actorType: 'operator' } });
    const after = await server.db.knex('clients').where({ id: created.client_id }).first('metadata');
    expect(after.metadata).not.toHaveProperty('backchannel_logout_uri');
    expect(after.metadata).not.toHaveProperty('operator_backchannel_logout_uri');
  });

  it('discovery advertises back-channel logout with sessions', async () => {
    const metadata = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ backchannel_logout_supported: true, backchannel_logout_session_supported: true });
  });
});
