import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminClient, createIntrospector, InvalidTokenError, type AdminClient } from '../src/index.ts';
import { countingFetch, personalToken, registerApi, serviceClient, serviceToken, startLatchkey, type Credentials, type TestServer } from './support.ts';

/**
 * Attack: a token is revoked, or its owner blocked, and the API keeps
 * accepting it because an SDK cache still holds the old "active" answer.
 * With the defaults, the very next introspection refuses it; an opted-in
 * cache never serves an answer past the token's exp. Revocation and blocking
 * go through the typed admin client, as an operator's script would.
 */
describe('introspect() sees revocation and blocked users on the next call', () => {
  let server: TestServer;
  let creds: Credentials;
  let admin: AdminClient;
  const api = 'https://introspected.api.example.com';

  beforeAll(async () => {
    server = await startLatchkey();
    creds = await registerApi(server, api, ['read:things']);
    const operator = await serviceClient(server, ['users:write', 'api_tokens:write']);
    admin = createAdminClient({ issuer: server.issuer, clientId: operator.client_id, clientSecret: operator.client_secret, scopes: ['users:write', 'api_tokens:write'] });
  });
  afterAll(() => server?.stop());

  const introspector = (options: Partial<Parameters<typeof createIntrospector>[0]> = {}) =>
    createIntrospector({ issuer: server.issuer, clientId: creds.introspection_client_id, clientSecret: creds.introspection_client_secret, ...options });

  it('a JWT and a personal API token for this API are active, with scopes as an array', async () => {
    const introspect = introspector();
    const jwt = await serviceToken(server, api, ['read:things']);
    expect(await introspect.require(`Bearer ${jwt}`, { scopes: ['read:things'] })).toMatchObject({ active: true, scope: ['read:things'], aud: [api] });
    const { token, userId } = await personalToken(server, ['read:things'], { userScopes: ['read:things'] });
    expect(await introspect.introspect(token)).toMatchObject({ active: true, sub: userId, scope: ['read:things'] });
    await expect(introspect.require(token, { scopes: ['write:things'] })).rejects.toMatchObject({ name: 'InsufficientScopeError', status: 403 });
  });

  it('a revoked personal API token is refused on the next call', async () => {
    const introspect = introspector();
    const { token, tokenId } = await personalToken(server, ['read:things'], { userScopes: ['read:things'] });
    expect((await introspect.require(token)).active).toBe(true);
    const revoked = await admin.POST('/api/v1/admin/api-tokens/{id}/revoke', { params: { path: { id: tokenId } } });
    expect(revoked.response.status).toBe(200);
    const error = await introspect.require(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).reason).toBe('inactive');
  });

  it('a blocked user\'s token is refused on the next call', async () => {
    const introspect = introspector();
    const { token, userId } = await personalToken(server, ['read:things'], { userScopes: ['read:things'] });
    expect((await introspect.introspect(token)).active).toBe(true);
    const blocked = await admin.POST('/api/v1/admin/users/{id}/block', { params: { path: { id: userId } }, body: { reason: 'test' } });
    expect(blocked.response.status, JSON.stringify(blocked.error)).toBe(200);
    expect(await introspect.introspect(token)).toEqual({ active: false });
  });

  it('an opted-in cache reuses an answer, but never past the token\'s exp', async () => {
    const counter = countingFetch();
    let clock = Date.now();
    const introspect = introspector({ cacheMaxAge: 24 * 3600, fetch: counter.fetch, now: () => clock });
    const jwt = await serviceToken(server, api, ['read:things']);
    const first = await introspect.require(jwt);
    await introspect.require(jwt);
    expect(counter.count('/token/introspection')).toBe(1);
    // Just past exp (the token lives 10 minutes): the cached answer is gone, and the new answer is inactive here.
    clock = (first.exp as number) * 1000 + 1;
    await expect(introspect.require(jwt)).rejects.toMatchObject({ reason: 'inactive' });
    expect(counter.count('/token/introspection')).toBe(2);
  });

  it('another API\'s credentials learn nothing', async () => {
    const other = await registerApi(server, 'https://other.introspected.example.com', ['other:scope']);
    const jwt = await serviceToken(server, api, ['read:things']);
    const foreign = createIntrospector({ issuer: server.issuer, clientId: other.introspection_client_id, clientSecret: other.introspection_client_secret });
    expect(await foreign.introspect(jwt)).toEqual({ active: false });
  });
});
