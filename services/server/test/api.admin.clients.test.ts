import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, apiClient, clientApi, clientCredentialsToken, etag, type ApiClient } from './support/api.ts';
import { freshPostgres } from './support/backends.ts';
import { canUseRealServices, freePort, startTestServer, type TestServer } from './support/server.ts';

/**
 * Admin API for OAuth clients, through the typed client against running
 * servers. Attacks: a leaked secret that keeps working after rotation, a
 * deleted client's tokens that keep working, mass assignment (a secret hash
 * or first_party smuggled in), redirect URIs the CLI would refuse, two admins
 * overwriting each other, a replica that still uses the old settings, and
 * hijacking a client that belongs to the server (the account console's) or to
 * an API resource (its introspection client, which must never get a token).
 */
describe('admin API: clients', () => {
  let a: TestServer;
  /** A second replica on the same database (real Postgres), or the same server without it. */
  let b: TestServer;
  let db: Awaited<ReturnType<typeof freshPostgres>> | undefined;
  let api: ApiClient;
  let apiClientId: string;
  let readOnly: ApiClient;

  beforeAll(async () => {
    if (canUseRealServices) {
      db = await freshPostgres();
      const secrets = randomBytes(32).toString('base64url');
      const port = await freePort();
      const issuer = `http://localhost:${port}`;
      a = await startTestServer({ databaseUrl: db.url, secrets, port, env: { LATCHKEY_ISSUER: issuer } });
      b = await startTestServer({ databaseUrl: db.url, secrets, env: { LATCHKEY_ISSUER: issuer } });
    } else {
      a = b = await startTestServer();
    }
    const writer = await clientCredentialsToken(a, ['clients:read', 'clients:write']);
    api = apiClient(a, writer.token);
    apiClientId = writer.clientId;
    readOnly = await clientApi(a, ['clients:read']);
  }, 60_000);
  afterAll(async () => {
    if (b && b !== a) await b.stop();
    await a?.stop();
    await db?.close();
  });

  const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

  /** The token endpoint of `server` with client_secret_basic, as any OAuth client calls it. */
  const tokenAt = (server: TestServer, clientId: string, secret: string) =>
    fetch(`${server.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
    });

  it('creates a confidential client (secret shown once), gets it with an ETag, and the secret works with a real OAuth client', async () => {
    const created = await api.admin.clients.create({
      body: { name: unique('billing'), type: 'confidential', grant_types: ['client_credentials'], scope: 'openid', first_party: false },
    });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    expect(created.body.client_secret!.length).toBeGreaterThanOrEqual(43);
    const got = await api.admin.clients.get({ params: { client_id: created.body.client_id } });
    expect(got.status).toBe(200);
    expect(etag(got)).toBe(etag(created));
    expect(JSON.stringify(got.body)).not.toMatch(/secret/);
    expect(got.body).toMatchObject({ type: 'confidential', grant_types: ['client_credentials'] });

    const config = await oidc.discovery(new URL(a.issuer), created.body.client_id, created.body.client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.access_token).toBeTruthy();

    const events = await a.db.knex('audit_events').where({ subject_type: 'client', subject_id: created.body.client_id });
    expect(events.map((e) => [e.type, e.actor_type, e.actor_id])).toEqual([['client.created', 'client', apiClientId]]);
  });

  it('rotating the secret: the new one works at once, the old one fails at once, on every replica', async () => {
    const created = await api.admin.clients.create({ body: { name: unique('rotate'), type: 'confidential', grant_types: ['client_credentials'] } });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    const { client_id, client_secret: old } = created.body;
    expect((await tokenAt(b, client_id, old!)).status).toBe(200);

    const rotated = await api.admin.clients.rotateSecret({ params: { client_id } });
    expect(rotated.status).toBe(200);
    if (rotated.status !== 200) return;
    const fresh = rotated.body.client_secret!;
    expect(fresh).not.toBe(old);
    for (const replica of [a, b]) {
      const refused = await tokenAt(replica, client_id, old!);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: 'invalid_client' });
      expect((await tokenAt(replica, client_id, fresh)).status).toBe(200);
    }
    const config = await oidc.discovery(new URL(a.issuer), client_id, old!, undefined, { execute: [oidc.allowInsecureRequests] });
    await expect(oidc.clientCredentialsGrant(config)).rejects.toMatchObject({ error: 'invalid_client' });

    const types = (await a.db.knex('audit_events').where({ subject_type: 'client', subject_id: client_id }).orderBy('occurred_at')).map((e) => e.type);
    expect(types).toEqual(['client.created', 'client.secret_rotated']);
    const events = JSON.stringify(await a.db.knex('audit_events').where({ subject_id: client_id }));
    expect(events).not.toContain(fresh);
    expect(events).not.toContain(old!);

    const publicClient = await api.admin.clients.create({ body: { name: unique('spa'), type: 'public', redirect_uris: ['http://localhost:5173/cb'] } });
    if (publicClient.status !== 201) throw new Error(`create: ${publicClient.status}`);
    expect(publicClient.body.client_secret).toBeUndefined();
    const noSecret = await api.admin.clients.rotateSecret({ params: { client_id: publicClient.body.client_id } });
    expect(noSecret.status).toBe(409);
  });

  it('deleting a client kills its tokens: its API token is refused on every replica and its stored tokens are gone', async () => {
    const created = await api.admin.clients.create({ body: { name: unique('victim'), type: 'confidential', grant_types: ['client_credentials'], scope: 'clients:read' } });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    const { client_id, client_secret } = created.body;
    const config = await oidc.discovery(new URL(a.issuer), client_id, client_secret!, undefined, { execute: [oidc.allowInsecureRequests] });
    const jwt = (await oidc.clientCredentialsGrant(config, { resource: `${a.issuer}/api`, scope: 'clients:read' })).access_token;
    const opaque = await tokenAt(a, client_id, client_secret!);
    expect(opaque.status).toBe(200);
    expect(await a.db.knex('client_credentials').where({ client_id }).first()).toBeDefined();
    for (const replica of [a, b]) expect((await apiClient(replica, jwt).admin.clients.list({ query: {} })).status).toBe(200);

    const deleted = await api.admin.clients.delete({ params: { client_id } });
    expect(deleted.status).toBe(204);
    for (const replica of [a, b]) expect((await apiClient(replica, jwt).admin.clients.list({ query: {} })).status).toBe(401);
    expect(await a.db.knex('client_credentials').where({ client_id }).first()).toBeUndefined();
    expect((await tokenAt(b, client_id, client_secret!)).status).toBe(401);
    expect((await api.admin.clients.get({ params: { client_id } })).status).toBe(404);
    expect((await api.admin.clients.delete({ params: { client_id } })).status).toBe(404);
    const event = await a.db.knex('audit_events').where({ type: 'client.deleted', subject_id: client_id }).first();
    expect(event).toMatchObject({ actor_type: 'client', actor_id: apiClientId });
  });

  it('PATCH with If-Match changes redirect URIs for every replica; 428 without it, 412 when stale', async () => {
    const created = await api.admin.clients.create({ body: { name: unique('web'), type: 'confidential', redirect_uris: ['https://old.example.com/cb'] } });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    const { client_id } = created.body;
    const authorize = async (server: TestServer, redirectUri: string) => {
      const url = new URL(`${server.url}/auth`);
      url.search = new URLSearchParams({ client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' }).toString();
      return (await fetch(url, { redirect: 'manual' })).status;
    };
    expect(await authorize(b, 'https://old.example.com/cb')).toBe(303);

    const missing = await api.admin.clients.update({ params: { client_id }, headers: {}, body: { name: unique('renamed') } });
    expect(missing.status).toBe(428);
    expect(missing.body).toMatchObject({ code: 'precondition_required' });

    const updated = await api.admin.clients.update({
      params: { client_id },
      headers: { 'if-match': etag(created) },
      body: { redirect_uris: ['https://new.example.com/cb'], post_logout_redirect_uris: ['https://new.example.com/bye'], first_party: true },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ redirect_uris: ['https://new.example.com/cb'], post_logout_redirect_uris: ['https://new.example.com/bye'], first_party: true });
    expect(etag(updated)).not.toBe(etag(created));
    expect(await authorize(b, 'https://new.example.com/cb')).toBe(303);
    expect(await authorize(b, 'https://old.example.com/cb')).toBe(400);

    const stale = await api.admin.clients.update({ params: { client_id }, headers: { 'if-match': etag(created) }, body: { first_party: false } });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'precondition_failed' });
    const [first, second] = await Promise.all(
      ['one', 'two'].map((suffix) => api.admin.clients.update({ params: { client_id }, headers: { 'if-match': etag(updated) }, body: { name: unique(suffix) } })),
    );
    expect([first!.status, second!.status].sort()).toEqual([200, 412]);
    const event = await a.db.knex('audit_events').where({ type: 'client.updated', subject_id: client_id }).orderBy('occurred_at').first();
    expect(event.data).toEqual({ changed: ['first_party', 'post_logout_redirect_uris', 'redirect_uris'] });
  });

  it('validation: unknown fields, bad redirect URIs (the CLI\'s rules), impossible combinations are 400 and change nothing', async () => {
    const created = await api.admin.clients.create({ body: { name: unique('strict'), type: 'confidential', redirect_uris: ['https://app.example.com/cb'] } });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    const { client_id } = created.body;
    const ifMatch = { 'if-match': etag(created) };

    const smuggled = await api.admin.clients.update({ params: { client_id }, headers: ifMatch, body: { secret_hash: 'x', token_endpoint_auth_method: 'none' } as never });
    expect(smuggled.status).toBe(400);
    expect(smuggled.body).toMatchObject({ code: 'validation_failed', errors: expect.arrayContaining([{ path: 'body.secret_hash', message: 'unknown field' }]) });
    const onCreate = await api.admin.clients.create({ body: { name: unique('x'), type: 'public', client_secret: 'mine' } as never });
    expect(onCreate.status).toBe(400);

    for (const uri of ['http://app.example.com/cb', 'https://app.example.com/cb#frag', 'javascript:alert(1)', 'com.example.app:/cb', 'not a url']) {
      const bad = await api.admin.clients.update({ params: { client_id }, headers: ifMatch, body: { redirect_uris: [uri] } });
      expect(bad.status, uri).toBe(400);
      expect(bad.body, uri).toMatchObject({ code: 'validation_failed', detail: expect.stringMatching(/redirect URI/) });
    }
    const badLogout = await api.admin.clients.update({ params: { client_id }, headers: ifMatch, body: { post_logout_redirect_uris: ['http://evil.example/bye'] } });
    expect(badLogout.status).toBe(400);
    const cc = await api.admin.clients.create({ body: { name: unique('pub'), type: 'public', grant_types: ['client_credentials'] } });
    expect(cc.status).toBe(400);
    expect(cc.body).toMatchObject({ detail: expect.stringMatching(/public client cannot use client_credentials/) });
    const noRedirect = await api.admin.clients.create({ body: { name: unique('nr'), type: 'confidential' } });
    expect(noRedirect.status).toBe(400);
    const badGrant = await api.admin.clients.create({ body: { name: unique('pw'), type: 'confidential', grant_types: ['password'] } as never });
    expect(badGrant.status).toBe(400);
    const badScope = await api.admin.clients.update({ params: { client_id }, headers: ifMatch, body: { scope: 'openid "quoted"' } });
    expect(badScope.status).toBe(400);
    const badId = await api.admin.clients.get({ params: { client_id: 'no/such' } });
    expect([400, 404]).toContain(badId.status);

    // Nothing changed: the original ETag still matches.
    const after = await api.admin.clients.get({ params: { client_id } });
    expect(etag(after)).toBe(etag(created));
    expect(after.body).toMatchObject({ redirect_uris: ['https://app.example.com/cb'] });
  });

  it('409 for a name that is taken, on create and on rename', async () => {
    const name = unique('dup');
    const first = await api.admin.clients.create({ body: { name, type: 'public', redirect_uris: ['http://localhost:3000/cb'] } });
    expect(first.status).toBe(201);
    const dup = await api.admin.clients.create({ body: { name, type: 'public', redirect_uris: ['http://localhost:3000/cb'] } });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'conflict' });
    const other = await api.admin.clients.create({ body: { name: unique('other'), type: 'public', redirect_uris: ['http://localhost:3000/cb'] } });
    if (other.status !== 201) throw new Error(`create: ${other.status}`);
    const rename = await api.admin.clients.update({ params: { client_id: other.body.client_id }, headers: { 'if-match': etag(other) }, body: { name } });
    expect(rename.status).toBe(409);
  });

  it('lists with allowlisted filters and sort, pages with signed cursors bound to them', async () => {
    const prefix = unique('list');
    for (const n of ['c', 'a', 'b']) {
      const r = await api.admin.clients.create({ body: { name: `${prefix}-${n}`, type: 'public', redirect_uris: ['http://localhost:3000/cb'] } });
      expect(r.status).toBe(201);
    }
    const page1 = await readOnly.admin.clients.list({ query: { name_prefix: prefix, sort: 'name', limit: 2, type: 'public' } });
    if (page1.status !== 200) throw new Error(`list: ${page1.status}`);
    expect(page1.body.items.map((c) => c.name)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    const page2 = await readOnly.admin.clients.list({ query: { name_prefix: prefix, sort: 'name', limit: 2, type: 'public', cursor: page1.body.next_cursor! } });
    if (page2.status !== 200) throw new Error(`list: ${page2.status}`);
    expect(page2.body).toMatchObject({ items: [{ name: `${prefix}-c` }], next_cursor: null });
    const desc = await readOnly.admin.clients.list({ query: { name_prefix: prefix, sort: '-name' } });
    if (desc.status === 200) expect(desc.body.items.map((c) => c.name.slice(-1))).toEqual(['c', 'b', 'a']);
    expect((await readOnly.admin.clients.list({ query: { name_prefix: prefix, type: 'confidential' } })).body).toMatchObject({ items: [] });

    const otherFilter = await readOnly.admin.clients.list({ query: { name_prefix: `${prefix}-`, sort: 'name', limit: 2, type: 'public', cursor: page1.body.next_cursor! } });
    expect(otherFilter.status).toBe(400);
    expect(otherFilter.body).toMatchObject({ code: 'invalid_cursor' });
    const forged = await readOnly.admin.clients.list({ query: { sort: 'name', cursor: `${Buffer.from('["zzz","x"]').toString('base64url')}.AAAA` } });
    expect(forged.body).toMatchObject({ code: 'invalid_cursor' });
    const injected = await readOnly.admin.clients.list({ query: { sort: 'name; drop table clients' as never } });
    expect(injected.status).toBe(400);
    const unknownFilter = await readOnly.admin.clients.list({ query: { secret_hash: 'x' } as never });
    expect(unknownFilter.status).toBe(400);
  });

  it('the account console\'s built-in client is listed as built_in and cannot be changed, given a new secret or deleted', async () => {
    // A console sign-in starts as the built-in client (and makes sure its row is there).
    const startConsole = async (server: TestServer) => {
      const started = await fetch(`${server.url}/account/login`, { redirect: 'manual' });
      expect(started.status).toBe(303);
      const auth = new URL(started.headers.get('location')!, server.url);
      expect(auth.searchParams.get('client_id')).toBe('latchkey-account');
      return (await fetch(auth, { redirect: 'manual' })).status;
    };
    expect(await startConsole(a)).toBe(303);

    const listed = await readOnly.admin.clients.list({ query: { name_prefix: 'latchkey-account', limit: 100 } });
    if (listed.status !== 200) throw new Error(`list: ${listed.status}`);
    expect(listed.body.items).toEqual([expect.objectContaining({ client_id: 'latchkey-account', built_in: true, introspects_resource_id: null })]);
    const others = await readOnly.admin.clients.list({ query: { limit: 100, sort: '-created_at' } });
    if (others.status !== 200) throw new Error(`list: ${others.status}`);
    expect(others.body.items.filter((c) => c.built_in).map((c) => c.client_id)).toEqual(['latchkey-account']);

    const params = { client_id: 'latchkey-account' };
    const got = await readOnly.admin.clients.get({ params });
    expect(got.body).toMatchObject({ built_in: true });
    const refusals = [
      await api.admin.clients.update({ params, headers: { 'if-match': etag(got) }, body: { redirect_uris: ['https://evil.example.com/cb'] } }),
      await api.admin.clients.update({ params, headers: { 'if-match': etag(got) }, body: { name: unique('renamed') } }),
      await api.admin.clients.rotateSecret({ params }),
      await api.admin.clients.delete({ params }),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/latchkey-account is the account console's built-in client/) });
    }
    // Nothing changed, nothing was recorded as done, and the console still signs in on every replica.
    expect(etag(await readOnly.admin.clients.get({ params }))).toBe(etag(got));
    expect(await a.db.knex('audit_events').where({ subject_type: 'client', subject_id: 'latchkey-account' }).first()).toBeUndefined();
    for (const replica of [a, b]) expect(await startConsole(replica)).toBe(303);
  });

  it('an API\'s introspection client: only its name and secret change, it gets no grant types or redirect URIs, and it goes only with its API', async () => {
    const resources = await clientApi(a, ['resources:write']);
    const identifier = `https://${unique('orders')}.example.com`;
    const registered = await resources.admin.resources.create({ body: { identifier, scopes: ['orders:read'] } });
    if (registered.status !== 201) throw new Error(`create resource: ${registered.status}`);
    const { introspection_client_id: client_id, introspection_client_secret: first } = registered.body;
    const params = { client_id };

    const listed = await readOnly.admin.clients.list({ query: { name_prefix: identifier } });
    if (listed.status !== 200) throw new Error(`list: ${listed.status}`);
    expect(listed.body.items).toEqual([expect.objectContaining({ client_id, built_in: false, introspects_resource_id: registered.body.id, grant_types: [], redirect_uris: [] })]);

    const got = await readOnly.admin.clients.get({ params });
    const ifMatch = { 'if-match': etag(got) };
    for (const body of [
      { grant_types: ['client_credentials' as const] },
      { redirect_uris: ['https://evil.example.com/cb'], grant_types: ['authorization_code' as const] },
      { post_logout_redirect_uris: ['https://evil.example.com/bye'] },
      { scope: 'clients:write' },
      { first_party: true },
    ]) {
      const refused = await api.admin.clients.update({ params, headers: ifMatch, body });
      expect(refused.status, JSON.stringify(body)).toBe(403);
      expect(refused.body).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/introspection client of an API resource/) });
    }
    expect(etag(await readOnly.admin.clients.get({ params }))).toBe(etag(got));
    // Still no token for it.
    expect((await tokenAt(b, client_id, first)).status).toBe(400);

    const renamed = await api.admin.clients.update({ params, headers: ifMatch, body: { name: unique('orders-introspection') } });
    expect(renamed.status).toBe(200);

    // A leaked secret is replaced through the clients route: the new one introspects, the old one is refused.
    const rotated = await api.admin.clients.rotateSecret({ params });
    if (rotated.status !== 200) throw new Error(`rotate: ${rotated.status}`);
    const { client_id: caller, client_secret: callerSecret } = await a.createClient({ scope: 'orders:read', grant_types: ['client_credentials'] });
    const callerConfig = await oidc.discovery(new URL(a.issuer), caller, callerSecret!, undefined, { execute: [oidc.allowInsecureRequests] });
    const token = (await oidc.clientCredentialsGrant(callerConfig, { resource: identifier, scope: 'orders:read' })).access_token;
    const asApi = (secret: string) => oidc.discovery(new URL(a.issuer), client_id, secret, undefined, { execute: [oidc.allowInsecureRequests] });
    expect(await oidc.tokenIntrospection(await asApi(rotated.body.client_secret!), token)).toMatchObject({ active: true, aud: identifier });
    await expect(oidc.tokenIntrospection(await asApi(first), token)).rejects.toMatchObject({ error: 'invalid_client' });

    const deleted = await api.admin.clients.delete({ params });
    expect(deleted.status).toBe(403);
    expect(deleted.body).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/deleted with its API resource/) });
    expect((await readOnly.admin.clients.get({ params })).status).toBe(200);
    expect((await resources.admin.resources.delete({ params: { id: registered.body.id } })).status).toBe(204);
    expect((await readOnly.admin.clients.get({ params })).status).toBe(404);
  });

  it('401 without a token, 403 with too few scopes (and for non-admin users), on every route', async () => {
    const someId = (await clientCredentialsToken(a, [])).clientId;
    const calls = (c: ApiClient) => [
      c.admin.clients.list({ query: {} }),
      c.admin.clients.get({ params: { client_id: someId } }),
      c.admin.clients.create({ body: { name: unique('no'), type: 'public', redirect_uris: ['http://localhost:1/cb'] } }),
      c.admin.clients.update({ params: { client_id: someId }, headers: { 'if-match': '"1"' }, body: { first_party: true } }),
      c.admin.clients.delete({ params: { client_id: someId } }),
      c.admin.clients.rotateSecret({ params: { client_id: someId } }),
    ];
    const statuses = async (c: ApiClient) => (await Promise.all(calls(c))).map((r) => r.status);
    expect(await statuses(apiClient(a))).toEqual([401, 401, 401, 401, 401, 401]);
    expect(await statuses(apiClient(a, 'not-a-token'))).toEqual([401, 401, 401, 401, 401, 401]);
    expect(await statuses(readOnly)).toEqual([200, 200, 403, 403, 403, 403]);
    const wrongScope = await clientApi(a, ['users:read']);
    const denied = await wrongScope.admin.clients.list({ query: {} });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
    // An admin's own token works as its scopes say; once the user is no admin, it holds no admin scope.
    const user = await adminToken(a, ['clients:read']);
    expect(await statuses(apiClient(a, user.token))).toEqual([200, 200, 403, 403, 403, 403]);
    await a.db.knex('users').where({ id: user.userId }).update({ role: 'user' });
    expect((await apiClient(a, user.token).admin.clients.list({ query: {} })).status).toBe(403);
    // Nothing was written by the refused calls.
    expect(await a.db.knex('clients').where('name', 'like', 'no-%').first()).toBeUndefined();
  });
});
