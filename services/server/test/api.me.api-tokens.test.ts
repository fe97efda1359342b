import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWellFormedPersonalToken } from '../src/api-tokens/format.ts';
import { apiClient, clientApi, personalToken, startApiTestServer, userToken, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * Account API: a user's own personal API tokens. Attacks: minting a token
 * with more than the owner holds (or than the calling token carries), mass
 * assignment of the owner, reaching another user's tokens, a revoked token
 * that still works.
 */
describe('account API: personal API tokens', () => {
  let server: TestServer;
  let me: ApiClient;
  let userId: string;
  beforeAll(async () => {
    server = await startApiTestServer();
    userId = await server.createUser({ scopes: ['read:things'] });
    me = apiClient(server, (await userToken(server, ['account'], { userId })).token);
  });
  afterAll(() => server?.stop());

  it('creates a token shown once, stored hashed, that then authenticates and records when and from where it was used', async () => {
    const created = await me.me.apiTokens.create({ body: { name: 'deploy', scopes: ['account'], expires_in_days: 7 } });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    expect(created.headers.get('cache-control')).toBe('no-store');
    const { token, api_token: view } = created.body;
    expect(isWellFormedPersonalToken(token)).toBe(true);
    expect(view).toMatchObject({ name: 'deploy', scopes: ['account'], status: 'active', user_id: userId, last_used_at: null, last_used_ip: null });
    expect(token.startsWith(view.prefix)).toBe(true);
    expect(new Date(view.expires_at!).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const row = await server.db.knex('api_tokens').where({ id: view.id }).first();
    expect(JSON.stringify(row)).not.toContain(token);

    // The token itself calls the API.
    const withPat = apiClient(server, token);
    const listed = await withPat.me.apiTokens.list({ query: {} });
    expect(listed.status).toBe(200);
    if (listed.status !== 200) return;
    const self = listed.body.items.find((item) => item.id === view.id)!;
    expect(self.last_used_at).not.toBeNull();
    expect(self.last_used_ip).toMatch(/127\.0\.0\.1$/);
    // Used again within the minute: no new write.
    const firstUse = (await server.db.knex('api_tokens').where({ id: view.id }).first()).last_used_at;
    await withPat.me.apiTokens.list({ query: {} });
    expect((await server.db.knex('api_tokens').where({ id: view.id }).first()).last_used_at).toEqual(firstUse);
    // The list never holds a token.
    expect(JSON.stringify(listed.body)).not.toContain(token);
  });

  it('allows the owner\'s own scopes for their APIs, refuses scopes the owner does not hold', async () => {
    const own = await me.me.apiTokens.create({ body: { name: 'things', scopes: ['read:things'] } });
    expect(own.status).toBe(201);
    const other = await me.me.apiTokens.create({ body: { name: 'other', scopes: ['write:things'] } });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 'forbidden', detail: expect.stringContaining('write:things') });
    // Admin API scopes: not for a user who is no admin.
    const admin = await me.me.apiTokens.create({ body: { name: 'admin', scopes: ['users:read'] } });
    expect(admin.status).toBe(403);
  });

  it('an admin gets admin scopes only when the calling token carries them', async () => {
    const adminId = await server.createUser({ role: 'admin' });
    const narrow = apiClient(server, (await userToken(server, ['account'], { userId: adminId })).token);
    expect((await narrow.me.apiTokens.create({ body: { name: 'escalate', scopes: ['users:write'] } })).status).toBe(403);
    const broad = apiClient(server, (await userToken(server, ['account', 'api_tokens:read'], { userId: adminId })).token);
    const created = await broad.me.apiTokens.create({ body: { name: 'reader', scopes: ['api_tokens:read'] } });
    expect(created.status).toBe(201);
    // The new admin-scoped token works on the admin API.
    if (created.status === 201) expect((await apiClient(server, created.body.token).admin.apiTokens.list({ query: {} })).status).toBe(200);
    // A PAT that carries only `account` cannot mint an admin one either.
    const { token: accountOnly } = await personalToken(server, ['account'], { userId: adminId });
    expect((await apiClient(server, accountOnly).me.apiTokens.create({ body: { name: 'again', scopes: ['api_tokens:read'] } })).status).toBe(403);
  });

  it.each([
    ['an unknown field (mass assignment of the owner)', { name: 'x1', scopes: ['account'], user_id: '00000000-0000-4000-8000-000000000000' }],
    ['no scopes', { name: 'x2', scopes: [] }],
    ['a scope that is not a scope token', { name: 'x3', scopes: ['has space'] }],
    ['a lifetime over a year', { name: 'x4', scopes: ['account'], expires_in_days: 366 }],
    ['a lifetime of zero', { name: 'x5', scopes: ['account'], expires_in_days: 0 }],
    ['an empty name', { name: '  ', scopes: ['account'] }],
  ])('refuses %s with 400 validation_failed', async (_label, body) => {
    const response = await me.me.apiTokens.create({ body: body as never });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
  });

  it('refuses a second token with the same name with 409', async () => {
    expect((await me.me.apiTokens.create({ body: { name: 'twice', scopes: ['account'] } })).status).toBe(201);
    const again = await me.me.apiTokens.create({ body: { name: 'twice', scopes: ['account'] } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict' });
  });

  it('lists only the caller\'s tokens, with a status filter and cursor pages', async () => {
    const stranger = await personalToken(server, ['account']);
    const first = await me.me.apiTokens.list({ query: { limit: 1 } });
    expect(first.status).toBe(200);
    if (first.status !== 200) return;
    expect(first.body.items).toHaveLength(1);
    const seen = [...first.body.items];
    let cursor = first.body.next_cursor;
    while (cursor) {
      const next = await me.me.apiTokens.list({ query: { limit: 1, cursor } });
      if (next.status !== 200) throw new Error(`page: ${next.status}`);
      seen.push(...next.body.items);
      cursor = next.body.next_cursor;
    }
    expect(seen.every((item) => item.user_id === userId)).toBe(true);
    expect(seen.map((item) => item.id)).not.toContain(stranger.tokenId);
    expect(new Set(seen.map((item) => item.id)).size).toBe(seen.length);
    const revokedOnly = await me.me.apiTokens.list({ query: { status: 'revoked' } });
    expect(revokedOnly.status).toBe(200);
    const forged = await me.me.apiTokens.list({ query: { cursor: 'eyJ4Ijox.fake' } });
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ code: 'invalid_cursor' });
  });

  it('revokes: the token stops working at once; another user\'s token is a 404', async () => {
    const created = await me.me.apiTokens.create({ body: { name: 'short-lived', scopes: ['account'] } });
    if (created.status !== 201) throw new Error(`create: ${created.status}`);
    const pat = apiClient(server, created.body.token);
    expect((await pat.me.apiTokens.list({ query: {} })).status).toBe(200);
    expect((await me.me.apiTokens.revoke({ params: { id: created.body.api_token.id } })).status).toBe(204);
    const after = await pat.me.apiTokens.list({ query: {} });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toMatch(/^Bearer realm="latchkey", error="invalid_token"/);
    const event = await server.db.knex('audit_events').where({ type: 'api_token.revoked', subject_id: userId }).first();
    expect(event).toMatchObject({ actor_type: 'user', actor_id: userId });

    const stranger = await personalToken(server, ['account']);
    expect((await me.me.apiTokens.revoke({ params: { id: stranger.tokenId } })).status).toBe(404);
    expect((await apiClient(server, stranger.token).me.apiTokens.list({ query: {} })).status).toBe(200);
    expect((await me.me.apiTokens.revoke({ params: { id: '00000000-0000-4000-8000-000000000000' } })).status).toBe(404);
    expect((await me.me.apiTokens.revoke({ params: { id: 'not-a-uuid' } })).status).toBe(400);
  });

  it('answers 401 without a token or with a mistyped one, 403 without the account scope or without a user', async () => {
    const anonymous = await apiClient(server).me.apiTokens.list({ query: {} });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/Bearer realm="latchkey"/);
    const { token } = await personalToken(server, ['account']);
    const typo = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
    expect((await apiClient(server, typo).me.apiTokens.list({ query: {} })).status).toBe(401);
    const noAccount = await personalToken(server, ['read:things'], { userScopes: ['read:things'] });
    const refused = await apiClient(server, noAccount.token).me.apiTokens.list({ query: {} });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'insufficient_scope' });
    const machine = await clientApi(server, ['account']);
    expect((await machine.me.apiTokens.create({ body: { name: 'x', scopes: ['account'] } })).status).toBe(403);
  });

  it('a blocked owner\'s tokens stop working', async () => {
    const { token, userId: owner } = await personalToken(server, ['account']);
    expect((await apiClient(server, token).me.apiTokens.list({ query: {} })).status).toBe(200);
    await server.db.knex('users').where({ id: owner }).update({ status: 'blocked' });
    expect((await apiClient(server, token).me.apiTokens.list({ query: {} })).status).toBe(401);
  });
});
