import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, apiClient, apiIdentifier, clientCredentialsToken, startApiTestServer, userToken } from './support/api.ts';
import type { TestServer } from './support/server.ts';
import { revokeOwnGrants } from '../src/accounts/status.ts';

const LIST = '/api/v1/admin/scopes';

describe('REST API authentication and authorization', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startApiTestServer();
  });
  afterAll(() => server?.stop());

  const get = (headers: Record<string, string>, path = LIST, method = 'GET') => fetch(`${server.url}${path}`, { method, headers });

  async function expectUnauthorized(response: Response, challenge: RegExp) {
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(challenge);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = await response.json();
    expect(body).toMatchObject({ status: 401, code: 'unauthorized', type: 'urn:latchkey:problem:unauthorized' });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|Error:/);
  }

  /** A token signed with the server's own active key: only the claims decide. */
  async function ownSigned(claims: Record<string, unknown>) {
    const row = await server.db.knex('signing_keys').where({ status: 'active', alg: 'RS256' }).first();
    const jwk = JSON.parse(server.keyring.decrypt('signing-key', row.private_jwk)) as JWK;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'at+jwt' }).sign(await importJWK(jwk, 'RS256'));
  }

  it('no credentials: 401 with a Bearer and a DPoP challenge, no error code', async () => {
    await expectUnauthorized(await get({}), /^Bearer realm="latchkey", DPoP realm="latchkey", algs="[^"]+"$/);
  });

  it('malformed Authorization header or token: 401', async () => {
    await expectUnauthorized(await get({ authorization: 'Basic dXNlcjpwYXNz' }), /error="invalid_request"/);
    await expectUnauthorized(await get({ authorization: 'Bearer not.a.jwt' }), /^Bearer realm="latchkey", error="invalid_token"/);
  });

  it('an expired token signed with our own key: 401 invalid_token', async () => {
    const { clientId } = await clientCredentialsToken(server, ['scopes:read']);
    const now = Math.floor(Date.now() / 1000);
    const token = await ownSigned({ iss: server.issuer, aud: apiIdentifier(server), sub: clientId, client_id: clientId, scope: 'scopes:read', iat: now - 7200, exp: now - 3600, jti: randomUUID() });
    await expectUnauthorized(await get({ authorization: `Bearer ${token}` }), /error="invalid_token"/);
    // The same claims, unexpired, pass: only the expiry failed above.
    const fresh = await ownSigned({ iss: server.issuer, aud: apiIdentifier(server), sub: clientId, client_id: clientId, scope: 'scopes:read', iat: now, exp: now + 60, jti: randomUUID() });
    expect((await get({ authorization: `Bearer ${fresh}` })).status).toBe(200);
  });

  it('a token for another API (audience): 401', async () => {
    await server.createResource('https://other-api.example.com', ['scopes:read']);
    const { client_id, client_secret } = await server.createClient({ scope: 'scopes:read', grant_types: ['client_credentials'] });
    const config = await client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    const tokens = await client.clientCredentialsGrant(config, { resource: 'https://other-api.example.com', scope: 'scopes:read' });
    await expectUnauthorized(await get({ authorization: `Bearer ${tokens.access_token}` }), /error="invalid_token"/);
  });

  it('a token signed with a key that is not ours (same kid, same claims): 401', async () => {
    const { clientId } = await clientCredentialsToken(server, ['scopes:read']);
    const row = await server.db.knex('signing_keys').where({ status: 'active', alg: 'RS256' }).first();
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ iss: server.issuer, aud: apiIdentifier(server), sub: clientId, client_id: clientId, scope: 'scopes:read', iat: now, exp: now + 60, jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: row.kid, typ: 'at+jwt' })
      .sign(privateKey);
    await expectUnauthorized(await get({ authorization: `Bearer ${token}` }), /error="invalid_token"/);
  });

  it('a client-credentials token with the right scope: 200; too few scopes: 403 insufficient_scope naming the scope', async () => {
    const { token } = await clientCredentialsToken(server, ['scopes:read']);
    expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
    const response = await fetch(`${server.url}${LIST}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x:y', description: 'X' }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="latchkey", error="insufficient_scope", scope="scopes:write"');
    expect(await response.json()).toMatchObject({ code: 'insufficient_scope', status: 403 });
  });

  it('a blocked user\'s token stops at once: 401', async () => {
    const { token, userId } = await adminToken(server, ['scopes:read']);
    expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
    await server.db.knex('users').where({ id: userId }).update({ status: 'blocked' });
    await expectUnauthorized(await get({ authorization: `Bearer ${token}` }), /error="invalid_token"/);
  });

  it('a locked user\'s token: 401', async () => {
    const { token, userId } = await adminToken(server, ['scopes:read']);
    await server.db.knex('users').where({ id: userId }).update({ locked_until: new Date(Date.now() + 3600_000) });
    await expectUnauthorized(await get({ authorization: `Bearer ${token}` }), /error="invalid_token"/);
  });

  it('a token whose grant was revoked (the person disconnected the app) stops at once: 401', async () => {
    const { token, userId, clientId } = await adminToken(server, ['scopes:read']);
    expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
    expect(await revokeOwnGrants({ knex: server.db.knex }, userId, { clientId })).toBe(1);
    await expectUnauthorized(await get({ authorization: `Bearer ${token}` }), /error="invalid_token"/);
  });

  it('admin scopes count only while the user is an admin: a demoted admin gets 403', async () => {
    const { token, userId } = await adminToken(server, ['scopes:read']);
    expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
    await server.db.knex('users').where({ id: userId }).update({ role: 'user' });
    const response = await get({ authorization: `Bearer ${token}` });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'insufficient_scope' });
  });

  it('a user who never was an admin cannot use admin scopes the client was allowed', async () => {
    const { token } = await userToken(server, ['scopes:read']);
    expect((await get({ authorization: `Bearer ${token}` })).status).toBe(403);
  });

  describe('DPoP-bound tokens', () => {
    let dpopKeys: { privateKey: CryptoKey; publicKey: CryptoKey };
    let token: string;
    let jwk: JWK;
    beforeAll(async () => {
      dpopKeys = await generateKeyPair('ES256', { extractable: true });
      jwk = await exportJWK(dpopKeys.publicKey);
      const { client_id, client_secret } = await server.createClient({ scope: 'scopes:read', grant_types: ['client_credentials'] });
      const config = await client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
      const tokens = await client.clientCredentialsGrant(config, { resource: apiIdentifier(server), scope: 'scopes:read' }, { DPoP: client.getDPoPHandle(config, dpopKeys) });
      expect(tokens.token_type.toLowerCase()).toBe('dpop');
      token = tokens.access_token;
    });

    const proof = (claims: Record<string, unknown> = {}, key: CryptoKey = dpopKeys.privateKey, publicJwk: JWK = jwk) =>
      new SignJWT({
        htm: 'GET',
        htu: `${server.issuer}${LIST}`,
        iat: Math.floor(Date.now() / 1000),
        jti: randomUUID(),
        ath: createHash('sha256').update(token).digest('base64url'),
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: publicJwk })
        .sign(key);

    it('with a valid proof: 200', async () => {
      expect((await get({ authorization: `DPoP ${token}`, dpop: await proof() })).status).toBe(200);
    });

    it('as a plain Bearer token, or without a proof: 401 with a DPoP challenge', async () => {
      await expectUnauthorized(await get({ authorization: `Bearer ${token}` }), /^DPoP realm="latchkey", error="invalid_token"/);
      await expectUnauthorized(await get({ authorization: `DPoP ${token}` }), /^DPoP realm="latchkey", error="invalid_dpop_proof"/);
    });

    it('with a proof from another key, for another URL, method or token, or stale: 401', async () => {
      const other = await generateKeyPair('ES256', { extractable: true });
      const bad = [
        await proof({}, other.privateKey, await exportJWK(other.publicKey)),
        await proof({ htu: `${server.issuer}/api/v1/admin/users` }),
        await proof({ htm: 'POST' }),
        await proof({ ath: createHash('sha256').update('another token').digest('base64url') }),
        await proof({ iat: Math.floor(Date.now() / 1000) - 600 }),
      ];
      for (const dpop of bad) await expectUnauthorized(await get({ authorization: `DPoP ${token}`, dpop }), /error="invalid_dpop_proof"/);
    });

    it('a replayed proof: 401, even when sent in parallel', async () => {
      const dpop = await proof();
      const statuses = await Promise.all([1, 2, 3].map(() => get({ authorization: `DPoP ${token}`, dpop }).then((r) => r.status)));
      expect(statuses.sort()).toEqual([200, 401, 401]);
    });
  });

  it('the typed client gets a problem body for 401', async () => {
    const response = await apiClient(server).admin.scopes.list({ query: {} });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'unauthorized' });
  });
});
