import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeOwnGrants } from '../src/accounts/status.ts';
import { createPersonalToken } from '../src/api-tokens/manage.ts';
import { createResourceWithCredentials } from '../src/resources/introspection-client.ts';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { authorize } from './support/browser.ts';
import { runCli } from './support/process.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Attack: a party that holds some credentials scans tokens it does not own
 * at the introspection endpoint, or a resource learns about tokens meant for
 * another API. Each API resource gets its own introspection credentials that
 * see exactly the tokens for it (JWT, opaque, personal API tokens with its
 * scopes), and answers change the moment a token is revoked or blocked, or
 * its owner is.
 */
describe('introspection by API resources', () => {
  let server: TestServer;
  let db: Awaited<ReturnType<typeof freshPostgres>> | undefined;
  const secrets = 'introspection-test-secret-0123456789abcdef';
  const apiA = 'https://a.api.example.com';
  const apiB = 'https://b.api.example.com';
  let credsA: { introspection_client_id: string; introspection_client_secret: string };
  let credsB: { introspection_client_id: string; introspection_client_secret: string };

  const discover = (client_id: string, client_secret: string) =>
    client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
  const asResource = (creds: typeof credsA) => discover(creds.introspection_client_id, creds.introspection_client_secret);
  const introspect = async (creds: typeof credsA, token: string) => client.tokenIntrospection(await asResource(creds), token);

  /** Registers an API the way an operator does: the CLI when a real database is at hand, else the same service. */
  async function register(identifier: string, scopes: string[]) {
    if (db) {
      const result = await runCli(['resources', 'create', '--identifier', identifier, '--scope', scopes.join(' '), '--json'], { DATABASE_URL: db.url, LATCHKEY_SECRETS: secrets });
      expect(result.code, result.stderr).toBe(0);
      const out = JSON.parse(result.stdout) as typeof credsA & { identifier: string };
      expect(out.identifier).toBe(identifier);
      return out;
    }
    const { credentials } = await createResourceWithCredentials(
      { knex: server.db.knex, issuer: server.issuer, keyring: server.keyring },
      { identifier, scopes },
      { actor: { actorType: 'operator', actorId: 'test' } },
    );
    return credentials;
  }

  async function ccToken(api: string, scope: string) {
    const { client_id, client_secret } = await server.createClient({ scope: `openid ${scope}` });
    const config = await discover(client_id, client_secret!);
    return { client_id, config, token: (await client.clientCredentialsGrant(config, { resource: api, scope })).access_token };
  }

  /** A user's JWT access token for `api` (code + PKCE with a resource indicator). */
  async function userToken(api: string, scope: string) {
    const { client_id, client_secret, redirect_uri } = await server.createClient({ scope: `openid ${scope}` });
    const userId = await server.createUser();
    const config = await discover(client_id, client_secret!);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri, scope: `openid ${scope}`, resource: api, prompt: 'consent', state: 'st',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const tokens = await client.authorizationCodeGrant(config, await authorize(url, userId, redirect_uri), { pkceCodeVerifier: verifier, expectedState: 'st' }, { resource: api });
    return { userId, config, token: tokens.access_token };
  }

  async function pat(scopes: string[], userFields: Record<string, unknown> = {}) {
    const userId = await server.createUser({ scopes, ...userFields });
    const created = await createPersonalToken(
      { knex: server.db.knex, keyring: server.keyring },
      { userId, name: 'ci', scopes, expiresInDays: 30 },
      { actorUserId: userId },
    );
    if (!created.ok) throw new Error(created.detail);
    return { userId, token: created.token, id: created.view.id };
  }

  beforeAll(async () => {
    db = realDatabaseUrl ? await freshPostgres({ migrate: false }) : undefined;
    server = await startTestServer({ secrets, ...(db ? { databaseUrl: db.url } : {}) });
    credsA = await register(apiA, ['read:a', 'write:a']);
    credsB = await register(apiB, ['read:b']);
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it('registering an API prints introspection credentials once; only their hash is stored', async () => {
    expect(credsA.introspection_client_secret.length).toBeGreaterThanOrEqual(43);
    const row = await server.db.knex('clients').where({ id: credsA.introspection_client_id }).first();
    expect(JSON.stringify(row)).not.toContain(credsA.introspection_client_secret);
    expect(row.grant_types).toEqual([]);
  });

  it("a resource's credentials see its own audience's client-credentials JWT as active", async () => {
    const { client_id, token } = await ccToken(apiA, 'read:a');
    expect(token.split('.')).toHaveLength(3);
    expect(await introspect(credsA, token)).toMatchObject({ active: true, aud: apiA, client_id, scope: 'read:a', iss: server.issuer, token_type: 'Bearer' });
  });

  it("a resource's credentials see a user's JWT for it as active with sub, until the user is blocked", async () => {
    const { userId, token } = await userToken(apiA, 'read:a');
    const info = await introspect(credsA, token);
    expect(info).toMatchObject({ active: true, sub: userId, aud: apiA, scope: 'read:a' });
    expect(typeof info.exp).toBe('number');
    await server.db.knex('users').where({ id: userId }).update({ status: 'blocked' });
    expect(await introspect(credsA, token)).toEqual({ active: false });
  });

  it("a user's JWT goes inactive the moment its grant is revoked (JWTs are not stored: they name their grant)", async () => {
    const { userId, token } = await userToken(apiA, 'read:a');
    expect(await introspect(credsA, token)).toMatchObject({ active: true, sub: userId });
    expect(await revokeOwnGrants({ knex: server.db.knex }, userId)).toBe(1);
    expect(await introspect(credsA, token)).toEqual({ active: false });
  });

  it("another resource's tokens answer active: false, JWT or opaque", async () => {
    const forB = await ccToken(apiB, 'read:b');
    expect(await introspect(credsA, forB.token)).toEqual({ active: false });
    expect(await introspect(credsB, forB.token)).toMatchObject({ active: true, aud: apiB });
    // An opaque token (no audience: for userinfo) belongs to its client alone.
    const opaque = await ccToken(apiA, 'read:a').then(async ({ config }) => (await client.clientCredentialsGrant(config)).access_token);
    expect(opaque.split('.')).toHaveLength(1);
    expect(await introspect(credsA, opaque)).toEqual({ active: false });
  });

  it("a token's own client may still introspect it (JWT included), an unrelated client may not", async () => {
    const { config, token } = await ccToken(apiA, 'read:a');
    expect(await client.tokenIntrospection(config, token)).toMatchObject({ active: true, aud: apiA });
    const stranger = await server.createClient();
    const strangerConfig = await discover(stranger.client_id, stranger.client_secret!);
    expect(await client.tokenIntrospection(strangerConfig, token)).toEqual({ active: false });
    const { token: personal } = await pat(['read:a']);
    expect(await client.tokenIntrospection(strangerConfig, personal)).toEqual({ active: false });
    expect(await client.tokenIntrospection(config, personal)).toEqual({ active: false });
  });

  it('a personal API token with one of its scopes is active for that resource only, with sub, scope and exp', async () => {
    const { userId, token, id } = await pat(['read:a', 'read:b']);
    const info = await introspect(credsA, token);
    expect(info).toMatchObject({ active: true, sub: userId, aud: apiA, scope: 'read:a', jti: id, iss: server.issuer });
    const row = await server.db.knex('api_tokens').where({ id }).first();
    expect(info.exp).toBe(Math.floor(new Date(row.expires_at).getTime() / 1000));
    expect(await introspect(credsB, token)).toMatchObject({ active: true, scope: 'read:b' });
    const onlyA = await pat(['write:a']);
    expect(await introspect(credsB, onlyA.token)).toEqual({ active: false });
  });

  it.each([
    ['revoked', { revoked_at: new Date() }],
    ['blocked', { blocked: true }],
    ['expired', { expires_at: new Date(Date.now() - 1000) }],
  ])('a %s personal API token answers active: false at once', async (_label, fields) => {
    const { token, id } = await pat(['read:a']);
    expect((await introspect(credsA, token)).active).toBe(true);
    await server.db.knex('api_tokens').where({ id }).update(fields);
    expect(await introspect(credsA, token)).toEqual({ active: false });
  });

  it.each([
    ['blocked', { status: 'blocked' }],
    ['locked', { locked_until: new Date(Date.now() + 3600_000) }],
    ['deleted', { status: 'deleted', deleted_at: new Date() }],
  ])("a %s owner's personal API token answers active: false", async (_label, fields) => {
    const { token, userId } = await pat(['read:a']);
    expect((await introspect(credsA, token)).active).toBe(true);
    await server.db.knex('users').where({ id: userId }).update(fields);
    expect(await introspect(credsA, token)).toEqual({ active: false });
  });

  it('a scope the owner lost no longer counts', async () => {
    const { token, userId } = await pat(['read:a']);
    await server.db.knex('users').where({ id: userId }).update({ scopes: [] });
    expect(await introspect(credsA, token)).toEqual({ active: false });
  });

  it('a mistyped or forged personal token is simply inactive', async () => {
    const { token } = await pat(['read:a']);
    const typo = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
    expect(await introspect(credsA, typo)).toEqual({ active: false });
    expect(await introspect(credsA, 'lk_pat_' + 'x'.repeat(36))).toEqual({ active: false });
  });

  it('introspection credentials can get no token, and a wrong secret is invalid_client', async () => {
    const config = await asResource(credsA);
    const refused = await client.clientCredentialsGrant(config, { resource: apiA }).catch((error: unknown) => error as { error?: string; error_description?: string });
    expect(refused).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/grant type is not allowed/) });
    const wrong = await discover(credsA.introspection_client_id, 'not-the-secret');
    const { token } = await ccToken(apiA, 'read:a');
    await expect(client.tokenIntrospection(wrong, token)).rejects.toMatchObject({ error: 'invalid_client' });
  });

  it('deleting the resource removes its introspection client', async () => {
    const creds = await register('https://gone.api.example.com', ['read:gone']);
    await server.db.knex('api_resources').where({ identifier: 'https://gone.api.example.com' }).delete();
    expect(await server.db.knex('clients').where({ id: creds.introspection_client_id }).first()).toBeUndefined();
  });
});
