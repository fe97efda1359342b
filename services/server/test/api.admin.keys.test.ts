import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, clientApi, clientCredentialsToken, startApiTestServer, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * Admin API for signing keys. Attacks: key material leaking through the
 * list, a revoked (compromised) key still published or still verifying, a
 * caller without keys:write rotating or revoking. Rotation publishes the new
 * keys at once; `now` makes them sign at once.
 */
describe('admin API: signing keys', () => {
  let server: TestServer;
  let api: ApiClient;
  let apiClientId: string;
  let apiToken: string;
  let readOnly: ApiClient;
  const resource = 'https://keys-test.example.com';

  beforeAll(async () => {
    server = await startApiTestServer();
    await server.createResource(resource, ['read'], 300);
    const writer = await clientCredentialsToken(server, ['keys:read', 'keys:write']);
    api = apiClient(server, writer.token);
    apiToken = writer.token;
    apiClientId = writer.clientId;
    readOnly = await clientApi(server, ['keys:read']);
  }, 60_000);
  afterAll(() => server?.stop());

  const jwks = async () => (await (await fetch(`${server.url}/jwks`)).json()) as JSONWebKeySet;
  const kids = async () => (await jwks()).keys.map((key) => key.kid);
  /** Waits (briefly) until the served JWKS satisfies `check`: the server reloads its keys on the change event. */
  const until = async (check: (kids: Array<string | undefined>) => boolean, what: string) => {
    const deadline = Date.now() + 3_000;
    while (!check(await kids())) {
      expect(Date.now(), what).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const accessToken = async () => {
    const client = await server.createClient({ scope: 'read', grant_types: ['client_credentials'] });
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'read' }).toString(),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  };

  it('lists keys with status and dates, never key material', async () => {
    const listed = await readOnly.admin.keys.list({ query: {} });
    expect(listed.status).toBe(200);
    if (listed.status !== 200) return;
    expect(listed.body.items.map((k) => k.alg).sort()).toEqual(expect.arrayContaining(['ES256', 'RS256']));
    for (const key of listed.body.items) expect(Object.keys(key).sort()).toEqual(['activates_at', 'alg', 'expires_at', 'kid', 'published', 'retired_at', 'status']);
    expect(JSON.stringify(listed.body)).not.toMatch(/"(d|p|q|dp|dq|qi|n|x|y|private_jwk)"/);
    const active = await readOnly.admin.keys.list({ query: { status: 'active', alg: 'ES256' } });
    if (active.status === 200) expect(active.body.items.map((k) => [k.alg, k.status])).toEqual([['ES256', 'active']]);
  });

  it('rotate publishes the next keys in /jwks at once; rotate now makes them sign', async () => {
    const rotated = await api.admin.keys.rotate({ body: {} });
    expect(rotated.status).toBe(200);
    if (rotated.status !== 200) return;
    const next = rotated.body.rotated.map((k) => k.kid);
    expect(rotated.body.rotated.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(new Date(rotated.body.rotated[0]!.activates_at).getTime()).toBeGreaterThan(Date.now() + 30_000);
    await until((published) => next.every((kid) => published.includes(kid)), 'rotated keys not published');
    const listed = await readOnly.admin.keys.list({ query: { status: 'next' } });
    if (listed.status === 200) expect(listed.body.items.map((k) => k.kid).sort()).toEqual([...next].sort());

    const now = await api.admin.keys.rotate({ body: { now: true } });
    if (now.status !== 200) throw new Error(`rotate: ${now.status}`);
    const rs256 = now.body.rotated.find((k) => k.alg === 'RS256')!.kid;
    await until((published) => published.includes(rs256), 'immediate key not published');
    const deadline = Date.now() + 3_000;
    while (decodeProtectedHeader(await accessToken()).kid !== rs256) {
      expect(Date.now(), 'the new key does not sign').toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const events = await server.db.knex('audit_events').where({ type: 'signing_key.rotated', actor_id: apiClientId });
    expect(events).toHaveLength(4);
    expect(events.every((e) => e.actor_type === 'client')).toBe(true);
  });

  it('revoke removes the key from /jwks at once and tokens it signed stop verifying; the next key signs', async () => {
    const token = await accessToken();
    const compromised = decodeProtectedHeader(token).kid!;
    await jwtVerify(token, createLocalJWKSet(await jwks()), { audience: resource });

    const revoked = await api.admin.keys.revoke({ params: { kid: compromised } });
    expect(revoked.status).toBe(200);
    if (revoked.status !== 200) return;
    expect(revoked.body).toMatchObject({ kid: compromised, alg: 'RS256', was: 'active' });
    expect(revoked.body.active?.kid).toBeTruthy();
    await until((published) => !published.includes(compromised), 'revoked key still published');
    await expect(jwtVerify(token, createLocalJWKSet(await jwks()), { audience: resource })).rejects.toThrow();
    expect(decodeProtectedHeader(await accessToken()).kid).toBe(revoked.body.active!.kid);
    const listed = await (await clientApi(server, ['keys:read'])).admin.keys.list({ query: {} });
    expect(listed.status).toBe(200);
    if (listed.status === 200) expect(listed.body.items.map((k) => k.kid)).not.toContain(compromised);

    // The API's own tokens verify against the same keys: one the revoked key signed is dead too.
    expect((await api.admin.keys.list({ query: {} })).status).toBe(decodeProtectedHeader(apiToken).kid === compromised ? 401 : 200);
    api = await clientApi(server, ['keys:read', 'keys:write']);
    expect((await api.admin.keys.revoke({ params: { kid: compromised } })).status).toBe(404);
    const event = await server.db.knex('audit_events').where({ type: 'signing_key.revoked', subject_id: compromised }).first();
    expect(event).toMatchObject({ actor_type: 'client', actor_id: apiClientId });
    readOnly = await clientApi(server, ['keys:read']);
  });

  it('validation: unknown fields and malformed values are 400 and change nothing', async () => {
    const before = await kids();
    const unknown = await api.admin.keys.rotate({ body: { now: true, alg: 'HS256' } as never });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.alg', message: 'unknown field' }] });
    expect((await api.admin.keys.rotate({ body: { now: 'yes' } as never })).status).toBe(400);
    expect((await api.admin.keys.revoke({ params: { kid: 'a.b' } })).status).toBe(400);
    expect((await readOnly.admin.keys.list({ query: { status: 'gone' } as never })).status).toBe(400);
    expect((await readOnly.admin.keys.list({ query: { private: 'true' } as never })).status).toBe(400);
    expect(await kids()).toEqual(before);
  });

  it('401 without a token, 403 with too few scopes, on every route; nothing changes', async () => {
    const before = await kids();
    const someKid = before[0]!;
    const calls = (c: ApiClient) => [c.admin.keys.list({ query: {} }), c.admin.keys.rotate({ body: {} }), c.admin.keys.revoke({ params: { kid: someKid } })];
    expect((await Promise.all(calls(apiClient(server)))).map((r) => r.status)).toEqual([401, 401, 401]);
    expect((await Promise.all(calls(readOnly))).map((r) => r.status)).toEqual([200, 403, 403]);
    const other = await clientApi(server, ['clients:write', 'users:write']);
    expect((await Promise.all(calls(other))).map((r) => r.status)).toEqual([403, 403, 403]);
    expect(await kids()).toEqual(before);
  });
});
