import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, clientApi, clientCredentialsToken, etag, startApiTestServer, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * Admin API for API resources (RFC 8707 audiences). Attacks: taking over this
 * server's own API resource (changing its scopes or deleting it), registering
 * a second `<issuer>/api`, mass assignment (`built_in`), two admins
 * overwriting each other, an introspection secret readable after
 * registration. A change must hold for the next token issued.
 */
describe('admin API: resources', () => {
  let server: TestServer;
  let api: ApiClient;
  let apiClientId: string;
  let readOnly: ApiClient;

  beforeAll(async () => {
    server = await startApiTestServer();
    const writer = await clientCredentialsToken(server, ['resources:read', 'resources:write']);
    api = apiClient(server, writer.token);
    apiClientId = writer.clientId;
    readOnly = await clientApi(server, ['resources:read']);
  }, 60_000);
  afterAll(() => server?.stop());

  const identifier = () => `https://api-${randomBytes(4).toString('hex')}.example.com`;

  /** A client-credentials token for `resource` from a real OAuth client allowed `scope`. */
  const tokenFor = async (resource: string, scope: string) => {
    const { client_id, client_secret } = await server.createClient({ scope, grant_types: ['client_credentials'] });
    const config = await oidc.discovery(new URL(server.issuer), client_id, client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
    return (await oidc.clientCredentialsGrant(config, { resource, scope })).access_token;
  };

  it('creates, gets, lists, updates with If-Match and deletes an API; tokens follow its settings', async () => {
    const id = identifier();
    const created = await api.admin.resources.create({ body: { identifier: id, name: 'Orders', scopes: ['orders:read', 'orders:write'], token_ttl: 900 } });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    expect(created.body).toMatchObject({ identifier: id, name: 'Orders', scopes: ['orders:read', 'orders:write'], token_ttl: 900, signing_alg: 'RS256', built_in: false });
    const got = await readOnly.admin.resources.get({ params: { id: created.body.id } });
    expect(got.status).toBe(200);
    expect(etag(got)).toBe(etag(created));
    const first = decodeJwt(await tokenFor(id, 'orders:read'));
    expect(first.aud).toBe(id);
    expect(first.exp! - first.iat!).toBe(900);

    const updated = await api.admin.resources.update({ params: { id: created.body.id }, headers: { 'if-match': etag(got) }, body: { token_ttl: 300, scopes: ['orders:read'] } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ token_ttl: 300, scopes: ['orders:read'] });
    const second = decodeJwt(await tokenFor(id, 'orders:read'));
    expect(second.exp! - second.iat!).toBe(300);

    const listed = await readOnly.admin.resources.list({ query: { identifier_prefix: id } });
    if (listed.status !== 200) throw new Error(`list: ${listed.status}`);
    expect(listed.body.items.map((r) => r.id)).toEqual([created.body.id]);

    const deleted = await api.admin.resources.delete({ params: { id: created.body.id } });
    expect(deleted.status).toBe(204);
    expect((await readOnly.admin.resources.get({ params: { id: created.body.id } })).status).toBe(404);
    await expect(tokenFor(id, 'orders:read')).rejects.toMatchObject({ error: 'invalid_target' });

    const events = await server.db.knex('audit_events').where({ subject_type: 'api_resource', subject_id: created.body.id }).orderBy('occurred_at');
    expect(events.map((e) => [e.type, e.actor_type, e.actor_id])).toEqual([
      ['resource.created', 'client', apiClientId],
      ['resource.updated', 'client', apiClientId],
      ['resource.deleted', 'client', apiClientId],
    ]);
  });

  it('registration answers the introspection credentials once, as the CLI does: they introspect this API\'s tokens; GET and list never show the secret', async () => {
    const id = identifier();
    const created = await api.admin.resources.create({ body: { identifier: id, scopes: ['orders:read'] } });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    const { introspection_client_id: clientId, introspection_client_secret: secret } = created.body;
    expect(secret.length).toBeGreaterThanOrEqual(43);
    const asApi = await oidc.discovery(new URL(server.issuer), clientId, secret, undefined, { execute: [oidc.allowInsecureRequests] });
    const token = await tokenFor(id, 'orders:read');
    expect(await oidc.tokenIntrospection(asApi, token)).toMatchObject({ active: true, aud: id, scope: 'orders:read' });
    // Another API's token tells these credentials nothing.
    const other = await api.admin.resources.create({ body: { identifier: identifier(), scopes: ['orders:read'] } });
    if (other.status !== 201) throw new Error(`create: ${other.status}`);
    expect(await oidc.tokenIntrospection(asApi, await tokenFor(other.body.identifier, 'orders:read'))).toMatchObject({ active: false });
    // They get no token themselves.
    await expect(oidc.clientCredentialsGrant(asApi, { resource: id, scope: 'orders:read' })).rejects.toMatchObject({ error: expect.any(String) });

    const got = await readOnly.admin.resources.get({ params: { id: created.body.id } });
    const listed = await readOnly.admin.resources.list({ query: { identifier_prefix: id } });
    for (const answer of [got.body, listed.body]) {
      expect(JSON.stringify(answer)).not.toContain(secret);
      expect(JSON.stringify(answer)).not.toMatch(/introspection_client_secret/);
    }
    expect(JSON.stringify(await server.db.knex('clients').where({ id: clientId }).first())).not.toContain(secret);
    const event = await server.db.knex('audit_events').where({ type: 'client.created', subject_id: clientId }).first();
    expect(event).toMatchObject({ actor_type: 'client', actor_id: apiClientId });
    expect(JSON.stringify(event)).not.toContain(secret);
  });

  it('the built-in API shows as <issuer>/api and cannot be changed, deleted or registered again', async () => {
    const listed = await readOnly.admin.resources.list({ query: { limit: 100 } });
    if (listed.status !== 200) throw new Error(`list: ${listed.status}`);
    const builtIn = listed.body.items.find((r) => r.built_in)!;
    expect(builtIn.identifier).toBe(`${server.issuer}/api`);
    expect(builtIn.scopes).toContain('resources:write');
    const got = await readOnly.admin.resources.get({ params: { id: builtIn.id } });
    const change = await api.admin.resources.update({ params: { id: builtIn.id }, headers: { 'if-match': etag(got) }, body: { scopes: ['resources:write'] } });
    expect(change.status).toBe(403);
    expect(change.body).toMatchObject({ code: 'forbidden' });
    const remove = await api.admin.resources.delete({ params: { id: builtIn.id } });
    expect(remove.status).toBe(403);
    const again = await api.admin.resources.create({ body: { identifier: `${server.issuer}/api`, scopes: ['users:write'] } });
    expect(again.status).toBe(409);
    expect((await readOnly.admin.resources.get({ params: { id: builtIn.id } })).body).toMatchObject({ scopes: builtIn.scopes });
  });

  it('validation: unknown fields (built_in), bad identifiers, lifetimes and algs are 400 and change nothing', async () => {
    const created = await api.admin.resources.create({ body: { identifier: identifier() } });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    const ifMatch = { 'if-match': etag(created) };
    const smuggled = await api.admin.resources.create({ body: { identifier: identifier(), built_in: true } as never });
    expect(smuggled.status).toBe(400);
    expect(smuggled.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.built_in', message: 'unknown field' }] });
    const renamed = await api.admin.resources.update({ params: { id: created.body.id }, headers: ifMatch, body: { identifier: identifier() } as never });
    expect(renamed.status).toBe(400);
    for (const bad of ['not a url', 'ftp://api.example.com', 'https://api.example.com/#x']) {
      const response = await api.admin.resources.create({ body: { identifier: bad } });
      expect(response.status, bad).toBe(400);
      expect(response.body, bad).toMatchObject({ code: 'validation_failed', detail: expect.stringMatching(/identifier/) });
    }
    expect((await api.admin.resources.update({ params: { id: created.body.id }, headers: ifMatch, body: { token_ttl: 10 } })).status).toBe(400);
    expect((await api.admin.resources.update({ params: { id: created.body.id }, headers: ifMatch, body: { signing_alg: 'none' as never } })).status).toBe(400);
    expect((await api.admin.resources.update({ params: { id: created.body.id }, headers: ifMatch, body: { scopes: ['has space'] } })).status).toBe(400);
    expect((await readOnly.admin.resources.get({ params: { id: 'not-a-uuid' } })).status).toBe(400);
    expect((await readOnly.admin.resources.list({ query: { sort: 'identifier desc' as never } })).status).toBe(400);
    expect(etag(await readOnly.admin.resources.get({ params: { id: created.body.id } }))).toBe(etag(created));
  });

  it('404 for an unknown id, 409 for a taken identifier', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await readOnly.admin.resources.get({ params: { id: missing } })).status).toBe(404);
    expect((await api.admin.resources.update({ params: { id: missing }, headers: { 'if-match': '"1"' }, body: { name: 'x' } })).status).toBe(404);
    expect((await api.admin.resources.delete({ params: { id: missing } })).status).toBe(404);
    const id = identifier();
    expect((await api.admin.resources.create({ body: { identifier: id } })).status).toBe(201);
    const dup = await api.admin.resources.create({ body: { identifier: id } });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'conflict' });
  });

  it('428 without If-Match, 412 when stale: two admins never overwrite each other', async () => {
    const created = await api.admin.resources.create({ body: { identifier: identifier(), name: 'Original' } });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    const params = { id: created.body.id };
    const missing = await api.admin.resources.update({ params, headers: {}, body: { name: 'No precondition' } });
    expect(missing.status).toBe(428);
    const [first, second] = await Promise.all(['First', 'Second'].map((name) => api.admin.resources.update({ params, headers: { 'if-match': etag(created) }, body: { name } })));
    expect([first!.status, second!.status].sort()).toEqual([200, 412]);
    expect((first!.status === 412 ? first! : second!).body).toMatchObject({ code: 'precondition_failed' });
  });

  it('pages with signed cursors; 401 without a token and 403 with too few scopes on every route', async () => {
    const page1 = await readOnly.admin.resources.list({ query: { limit: 1, sort: '-created_at' } });
    if (page1.status !== 200) throw new Error(`list: ${page1.status}`);
    expect(page1.body.next_cursor).toBeTruthy();
    const page2 = await readOnly.admin.resources.list({ query: { limit: 1, sort: '-created_at', cursor: page1.body.next_cursor! } });
    if (page2.status !== 200) throw new Error(`list: ${page2.status}`);
    expect(page2.body.items[0]!.id).not.toBe(page1.body.items[0]!.id);
    const replayed = await readOnly.admin.resources.list({ query: { limit: 1, sort: 'created_at', cursor: page1.body.next_cursor! } });
    expect(replayed.body).toMatchObject({ code: 'invalid_cursor' });

    const someId = page1.body.items[0]!.id;
    const calls = (c: ApiClient) => [
      c.admin.resources.list({ query: {} }),
      c.admin.resources.get({ params: { id: someId } }),
      c.admin.resources.create({ body: { identifier: identifier() } }),
      c.admin.resources.update({ params: { id: someId }, headers: { 'if-match': '"1"' }, body: { name: 'x' } }),
      c.admin.resources.delete({ params: { id: someId } }),
    ];
    expect((await Promise.all(calls(apiClient(server)))).map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    expect((await Promise.all(calls(readOnly))).map((r) => r.status)).toEqual([200, 200, 403, 403, 403]);
    const other = await clientApi(server, ['clients:write']);
    expect((await Promise.all(calls(other))).map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
  });
});
