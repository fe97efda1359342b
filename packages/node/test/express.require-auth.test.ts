import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntrospector, createVerifier, protectedResourceMetadata, requireAuth } from '../src/index.ts';
import { dpopKey, dpopProof, personalToken, registerApi, serviceToken, startLatchkey, type TestServer } from './support.ts';

/**
 * Attack: an Express API lets a request through without a valid token of
 * the right scope, or refuses it without telling the client why and where to
 * get a token. Proved against a real Latchkey and a real Express app: 401
 * and 403 carry RFC 6750 WWW-Authenticate challenges naming the RFC 9728
 * metadata, DPoP-bound tokens need their proof, the introspection route
 * refuses a revoked token, and req.auth is set only on success.
 */
describe('requireAuth and protectedResourceMetadata', () => {
  let server: TestServer;
  let api: ReturnType<typeof express>;
  let listener: ReturnType<ReturnType<typeof express>['listen']>;
  let base: string;
  const resource = 'https://mcp.api.example.com';

  beforeAll(async () => {
    server = await startLatchkey();
    const creds = await registerApi(server, resource, ['read:things', 'write:things']);
    const verifier = createVerifier({ issuer: server.issuer, audience: resource });
    const introspector = createIntrospector({ issuer: server.issuer, clientId: creds.introspection_client_id, clientSecret: creds.introspection_client_secret });
    api = express();
    api.use(protectedResourceMetadata({ resource, authorizationServers: [server.issuer], scopes: ['read:things', 'write:things'] }));
    api.get('/things', requireAuth({ verifier, scopes: ['read:things'] }), (req, res) => {
      res.json({ sub: req.auth?.sub, scopes: req.auth?.scopes, source: req.auth?.source });
    });
    api.post('/things', requireAuth({ verifier, scopes: ['write:things'] }), (req, res) => {
      res.json({ ok: true, sub: req.auth?.sub });
    });
    api.get('/introspected', requireAuth({ mode: 'introspect', introspector, resource, scopes: ['read:things'] }), (req, res) => {
      res.json({ sub: req.auth?.sub, source: req.auth?.source });
    });
    listener = api.listen(0, '127.0.0.1');
    await new Promise((resolve) => listener.once('listening', resolve));
    base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => listener?.close(resolve));
    await server?.stop();
  });

  const metadataUrl = 'https://mcp.api.example.com/.well-known/oauth-protected-resource';

  it('no token: 401 with a bare Bearer challenge naming the realm and resource_metadata', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz']) {
      const response = await fetch(`${base}/things`, { headers: authorization ? { authorization } : {} });
      expect(response.status).toBe(401);
      const challenge = response.headers.get('www-authenticate')!;
      expect(challenge).toMatch(new RegExp(`^Bearer realm="${resource}", resource_metadata="${metadataUrl}"`));
      expect(challenge).not.toMatch(/Bearer[^,]*error=/);
      expect(challenge).toMatch(/DPoP realm=".*", algs="ES256 /);
    }
  });

  it('an invalid token: 401 invalid_token, and the handler never runs', async () => {
    const response = await fetch(`${base}/things`, { headers: { authorization: 'Bearer not.a.token' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+", resource_metadata="[^"]+", error="invalid_token", error_description="the access token is not a JWT"$/);
    expect(await response.json()).toEqual({ error: 'invalid_token', error_description: 'the access token is not a JWT' });
  });

  it('a valid token without the scope: 403 insufficient_scope naming the scope', async () => {
    const token = await serviceToken(server, resource, ['read:things']);
    const ok = await fetch(`${base}/things`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ scopes: ['read:things'], source: 'jwt' });
    const response = await fetch(`${base}/things`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="insufficient_scope".*scope="write:things"/);
  });

  it('a DPoP-bound token: only with a proof for this request; a replayed proof is a 401 invalid_dpop_proof', async () => {
    const key = await dpopKey();
    const token = await serviceToken(server, resource, ['read:things'], { dpop: key });
    const proof = await dpopProof(key, 'GET', `${base}/things`, token);
    const ok = await fetch(`${base}/things`, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
    expect(ok.status).toBe(200);
    const replay = await fetch(`${base}/things`, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
    expect(replay.status).toBe(401);
    expect(replay.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_dpop_proof".*algs="ES256/);
    const asBearer = await fetch(`${base}/things`, { headers: { authorization: `Bearer ${token}` } });
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('the introspection route accepts a personal API token until it is revoked', async () => {
    const { token, userId, tokenId } = await personalToken(server, ['read:things'], { userScopes: ['read:things'] });
    const ok = await fetch(`${base}/introspected`, { headers: { authorization: `Bearer ${token}` } });
    expect(await ok.json()).toEqual({ sub: userId, source: 'introspection' });
    await server.db.knex('api_tokens').where({ id: tokenId }).update({ revoked_at: new Date() });
    const refused = await fetch(`${base}/introspected`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="the access token is not active"/);
  });

  it('serves the RFC 9728 document', async () => {
    const response = await fetch(`${base}/.well-known/oauth-protected-resource`);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.json()).toEqual({
      resource,
      authorization_servers: [server.issuer],
      scopes_supported: ['read:things', 'write:things'],
      bearer_methods_supported: ['header'],
      dpop_signing_alg_values_supported: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    });
    expect((await fetch(`${base}/.well-known/oauth-protected-resource`, { method: 'POST' })).status).toBe(404);
  });
});
