import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_API_SCOPES } from '../src/api-tokens/scopes.ts';
import { apiClient, clientApi, clientCredentialsToken, etag, startApiTestServer } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * Attack: a narrowly scoped admin credential turns itself into a full admin.
 * With `clients:write` alone, make a client-credentials client carrying every
 * API scope (or re-secret / re-point an existing stronger client); with
 * `users:write` alone, create or promote an admin with a known password.
 * Each is refused: an admin route hands out nothing its caller does not carry.
 */
describe('attack: admin scope escalation through the admin API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startApiTestServer();
  });
  afterAll(() => server?.stop());

  const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}`;

  it('clients:write cannot create a client with API scopes it does not carry, nor change one to carry them', async () => {
    const api = await clientApi(server, ['clients:write']);
    const escalated = await api.admin.clients.create({
      body: { name: unique('escalate'), type: 'confidential', grant_types: ['client_credentials'], scope: ADMIN_API_SCOPES.join(' ') },
    });
    expect(escalated.status).toBe(403);
    expect(escalated.body).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('users:write') });
    // Its own scopes and non-API scopes are fine.
    const own = await api.admin.clients.create({ body: { name: unique('own'), type: 'confidential', grant_types: ['client_credentials'], scope: 'openid clients:write' } });
    expect(own.status).toBe(201);
    if (own.status !== 201) return;
    const raised = await api.admin.clients.update({ params: { client_id: own.body.client_id }, headers: { 'if-match': etag(own) }, body: { scope: 'keys:write' } });
    expect(raised.status).toBe(403);
    // Nothing with keys:write came out of it.
    const config = await oidc.discovery(new URL(server.issuer), own.body.client_id, { client_secret: own.body.client_secret! }, undefined, { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.clientCredentialsGrant(config, { resource: `${server.issuer}/api`, scope: 'keys:write' });
    expect(tokens.scope ?? '').not.toContain('keys:write');
  });

  it('clients:write cannot take over a stronger client by rotating its secret or re-pointing its redirect URIs', async () => {
    const strong = await server.createClient({ scope: 'openid keys:write users:write', grant_types: ['client_credentials', 'authorization_code'] });
    const api = await clientApi(server, ['clients:read', 'clients:write']);
    const rotated = await api.admin.clients.rotateSecret({ params: { client_id: strong.client_id } });
    expect(rotated.status).toBe(403);
    expect(JSON.stringify(rotated.body)).not.toMatch(/client_secret/);
    const got = await api.admin.clients.get({ params: { client_id: strong.client_id } });
    const repointed = await api.admin.clients.update({
      params: { client_id: strong.client_id },
      headers: { 'if-match': etag(got) },
      body: { redirect_uris: ['https://evil.example.com/cb'] },
    });
    expect(repointed.status).toBe(403);
    // The strong client's own secret still works: nothing was changed.
    const config = await oidc.discovery(new URL(server.issuer), strong.client_id, { client_secret: strong.client_secret }, undefined, { execute: [oidc.allowInsecureRequests] });
    expect((await oidc.clientCredentialsGrant(config, { resource: `${server.issuer}/api`, scope: 'keys:write' })).access_token).toBeTruthy();
  });

  it('users:write cannot create an admin or promote a user to admin; a caller with every admin scope can', async () => {
    const api = await clientApi(server, ['users:read', 'users:write']);
    const created = await api.admin.users.create({ body: { email: `${unique('mallory')}@example.com`, password: 'correct horse battery staple', role: 'admin' } });
    expect(created.status).toBe(403);
    expect(created.body).toMatchObject({ code: 'forbidden' });

    const plain = await api.admin.users.create({ body: { email: `${unique('plain')}@example.com`, password: 'correct horse battery staple' } });
    expect(plain.status).toBe(201);
    if (plain.status !== 201) return;
    const promoted = await api.admin.users.update({ params: { id: plain.body.id }, headers: { 'if-match': etag(plain) }, body: { role: 'admin' } });
    expect(promoted.status).toBe(403);
    expect((await server.db.knex('users').where({ id: plain.body.id }).first('role')).role).toBe('user');

    const full = apiClient(server, (await clientCredentialsToken(server, [...ADMIN_API_SCOPES])).token);
    const got = await full.admin.users.get({ params: { id: plain.body.id } });
    const allowed = await full.admin.users.update({ params: { id: plain.body.id }, headers: { 'if-match': etag(got) }, body: { role: 'admin' } });
    expect(allowed.status).toBe(200);
  });
});
