import { randomUUID } from 'node:crypto';
import { API_SCOPE_NAMES } from '@latchkey/contract';
import { importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, apiClient, apiIdentifier, clientCredentialsToken, etag, personalToken, startApiTestServer, userToken } from './support/api.ts';
import { contractRoutes, fillPath, hasBody, KNOWN_SCOPES, type ContractRoute } from './support/contract-routes.ts';
import type { TestServer } from './support/server.ts';

/**
 * Every route of the contract × every kind of caller → the status the
 * contract's `metadata.scopes` implies. Routes come from walking the
 * contract, so a new route is in the matrix without touching this file.
 */

const ALL_SCOPES = [...API_SCOPE_NAMES];
const ADMIN_SCOPES = ALL_SCOPES.filter((scope) => scope !== 'account');

type Expect = 'unauthorized' | 'insufficient_scope' | 'allowed';
type Column = { name: string; token: (route: ContractRoute) => string | undefined; expect: (route: ContractRoute) => Expect };

const isAccountRoute = (route: ContractRoute) => route.scopes!.includes('account');
const keyOf = (scopes: readonly string[]) => [...scopes].sort().join(' ');

async function pool<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

describe('REST API authorization matrix (every contract route × every caller)', () => {
  let server: TestServer;
  const right = new Map<string, string>();
  const wrong = new Map<string, string>();
  const thirdParty = new Map<string, string>();
  const adminPat = new Map<string, string>();
  let expired = '';
  let blockedJwt = '';
  let blockedPat = '';
  let demotedPat = '';

  /** A token signed with the server's own active key: only its claims decide. */
  async function ownSigned(claims: Record<string, unknown>) {
    const row = await server.db.knex('signing_keys').where({ status: 'active', alg: 'RS256' }).first();
    const jwk = JSON.parse(server.keyring.decrypt('signing-key', row.private_jwk)) as JWK;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'at+jwt' }).sign(await importJWK(jwk, 'RS256'));
  }

  beforeAll(async () => {
    server = await startApiTestServer();
    const sets = new Map(contractRoutes.filter((r) => r.scopes?.length).map((r) => [keyOf(r.scopes!), r.scopes!]));

    const rightAdmin = await server.createUser({ role: 'admin' });
    const patAdmin = await server.createUser({ role: 'admin' });
    const plainUser = await server.createUser();
    for (const [key, scopes] of sets) {
      const account = scopes.includes('account');
      // Right: exactly the route's scopes (a plain user for account routes, an admin otherwise).
      right.set(key, (await userToken(server, scopes, { userId: account ? plainUser : rightAdmin })).token);
      // The same through a third-party app: `account` never counts there.
      thirdParty.set(key, (await userToken(server, scopes, { userId: account ? plainUser : rightAdmin, firstParty: false })).token);
      // Wrong: every other API scope, so only the route's own scope can be what is missing.
      wrong.set(key, (await clientCredentialsToken(server, ADMIN_SCOPES.filter((scope) => !scopes.includes(scope)))).token);
      adminPat.set(key, (await personalToken(server, scopes, { userId: patAdmin })).token);
    }

    const setup = await adminToken(server, ALL_SCOPES);
    const api = apiClient(server, setup.token);
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: server.issuer, aud: apiIdentifier(server), sub: setup.userId, client_id: setup.clientId, scope: ALL_SCOPES.join(' ') };
    expired = await ownSigned({ ...claims, iat: now - 7200, exp: now - 3600, jti: randomUUID() });
    // The same claims unexpired pass: the expiry alone is what the matrix refuses.
    const fresh = await ownSigned({ ...claims, iat: now, exp: now + 60, jti: randomUUID() });
    expect((await apiClient(server, fresh).admin.scopes.list({ query: {} })).status).toBe(200);

    // A blocked admin: its JWT and its PAT both worked before the block.
    const blocked = await adminToken(server, ALL_SCOPES);
    blockedJwt = blocked.token;
    blockedPat = (await personalToken(server, ALL_SCOPES, { userId: blocked.userId })).token;
    for (const token of [blockedJwt, blockedPat]) expect((await apiClient(server, token).me.profile.get()).status).toBe(200);
    expect((await api.admin.users.block({ params: { id: blocked.userId }, body: { reason: 'matrix' } })).status).toBe(200);

    // An admin's PAT with every scope, then the owner is demoted: admin scopes stop counting, account stays.
    const demoted = await personalToken(server, ALL_SCOPES, { role: 'admin' });
    demotedPat = demoted.token;
    expect((await apiClient(server, demotedPat).admin.users.list({ query: {} })).status).toBe(200);
    const current = await api.admin.users.get({ params: { id: demoted.userId } });
    const patched = await api.admin.users.update({ params: { id: demoted.userId }, headers: { 'if-match': etag(current) }, body: { role: 'user' } });
    expect(patched.status).toBe(200);
  }, 120_000);
  afterAll(() => server?.stop());

  it('every route declares the API scopes it needs', () => {
    const bad = contractRoutes.filter((r) => !r.scopes?.length || !r.scopes.every((scope) => KNOWN_SCOPES.has(scope)));
    expect(bad.map((r) => `${r.method} ${r.path} (${r.name}): ${JSON.stringify(r.scopes)}`)).toEqual([]);
  });

  it('no token, expired, wrong scope, right scope, PATs and a blocked user each get what the scopes say', async () => {
    const routes = contractRoutes.filter((r) => r.scopes?.length);
    const columns: Column[] = [
      { name: 'no token', token: () => undefined, expect: () => 'unauthorized' },
      { name: 'expired token (own key)', token: () => expired, expect: () => 'unauthorized' },
      { name: 'wrong scope', token: (r) => wrong.get(keyOf(r.scopes!)), expect: () => 'insufficient_scope' },
      { name: 'right scope', token: (r) => right.get(keyOf(r.scopes!)), expect: () => 'allowed' },
      { name: 'third-party app, right scope', token: (r) => thirdParty.get(keyOf(r.scopes!)), expect: (r) => (isAccountRoute(r) ? 'insufficient_scope' : 'allowed') },
      { name: 'PAT of an admin, right scope', token: (r) => adminPat.get(keyOf(r.scopes!)), expect: () => 'allowed' },
      { name: 'PAT of a demoted admin, every scope', token: () => demotedPat, expect: (r) => (isAccountRoute(r) ? 'allowed' : 'insufficient_scope') },
      { name: 'blocked user\'s token', token: () => blockedJwt, expect: () => 'unauthorized' },
      { name: 'blocked user\'s PAT', token: () => blockedPat, expect: () => 'unauthorized' },
    ];
    const cells = routes.flatMap((route) => columns.map((column) => ({ route, column })));
    console.log(`authorization matrix: ${routes.length} routes × ${columns.length} callers = ${cells.length} requests`);

    const failures: string[] = [];
    await pool(cells, 6, async ({ route, column }) => {
      const token = column.token(route);
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      if (hasBody(route.route)) headers['content-type'] = 'application/json';
      const response = await fetch(`${server.url}${fillPath(route)}`, { method: route.method, headers, body: hasBody(route.route) ? '{}' : undefined });
      const text = await response.text();
      const body = (() => {
        try {
          return JSON.parse(text) as { code?: string };
        } catch {
          return {};
        }
      })();
      const challenge = response.headers.get('www-authenticate') ?? '';
      const expected = column.expect(route);
      const got = `${response.status} ${body.code ?? ''} [${challenge}]`;
      const ok =
        expected === 'unauthorized'
          ? response.status === 401 && body.code === 'unauthorized' && /^(Bearer|DPoP) realm="latchkey"/.test(challenge) && (!token || /error="invalid_token"/.test(challenge))
          : expected === 'insufficient_scope'
            ? response.status === 403 && body.code === 'insufficient_scope' && challenge.includes(`error="insufficient_scope", scope="${route.scopes!.join(' ')}"`)
            : response.status !== 401 && response.status !== 403 && response.status < 500;
      if (!ok) failures.push(`${route.method} ${route.path} (${route.name}) × ${column.name}: expected ${expected}, got ${got}`);
    });
    expect(failures).toEqual([]);
  }, 120_000);
});
