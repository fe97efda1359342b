import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, apiClient, clientApi, personalToken, startApiTestServer, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * Admin API over every user's personal API tokens. Attacks: a blocked or
 * revoked token that still works, a read-only caller that writes, cursors
 * forged or replayed with other filters, the token itself leaking in a list.
 */
describe('admin API: personal API tokens', () => {
  let server: TestServer;
  let admin: ApiClient;
  let readOnly: ApiClient;
  let adminId: string;
  beforeAll(async () => {
    server = await startApiTestServer();
    const issued = await adminToken(server, ['api_tokens:read', 'api_tokens:write']);
    admin = apiClient(server, issued.token);
    adminId = issued.userId;
    readOnly = await clientApi(server, ['api_tokens:read']);
  });
  afterAll(() => server?.stop());

  const works = async (token: string) => (await apiClient(server, token).me.apiTokens.list({ query: {} })).status;

  it('blocks (the token stops at once), unblocks (it works again), revokes (for good), each an audit event naming the admin', async () => {
    const { token, tokenId, userId } = await personalToken(server, ['account']);
    expect(await works(token)).toBe(200);
    const blocked = await admin.admin.apiTokens.block({ params: { id: tokenId } });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ id: tokenId, status: 'blocked', user_id: userId });
    expect(await works(token)).toBe(401);
    const unblocked = await admin.admin.apiTokens.unblock({ params: { id: tokenId } });
    expect(unblocked.body).toMatchObject({ status: 'active' });
    expect(await works(token)).toBe(200);
    const revoked = await admin.admin.apiTokens.revoke({ params: { id: tokenId } });
    expect(revoked.body).toMatchObject({ status: 'revoked' });
    expect(await works(token)).toBe(401);
    // Unblocking a revoked token does not bring it back.
    expect((await admin.admin.apiTokens.unblock({ params: { id: tokenId } })).body).toMatchObject({ status: 'revoked' });
    expect(await works(token)).toBe(401);
    const events = await server.db.knex('audit_events').where({ subject_id: userId }).whereLike('type', 'api_token.%').orderBy('occurred_at');
    expect(events.map((e) => e.type)).toEqual(['api_token.created', 'api_token.blocked', 'api_token.unblocked', 'api_token.revoked', 'api_token.unblocked']);
    expect(events.slice(1).every((e) => e.actor_type === 'user' && e.actor_id === adminId && e.data.api_token_id === tokenId)).toBe(true);
  });

  it('gets one token without its secret; 404 for an unknown id, 400 for a malformed one', async () => {
    const { token, tokenId } = await personalToken(server, ['account']);
    const got = await readOnly.admin.apiTokens.get({ params: { id: tokenId } });
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.body)).not.toContain(token);
    expect((await readOnly.admin.apiTokens.get({ params: { id: '00000000-0000-4000-8000-000000000000' } })).status).toBe(404);
    expect((await admin.admin.apiTokens.block({ params: { id: '00000000-0000-4000-8000-000000000000' } })).status).toBe(404);
    const malformed = await readOnly.admin.apiTokens.get({ params: { id: "1' or '1'='1" } });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'validation_failed' });
  });

  it('lists by owner and status, page by page with signed cursors', async () => {
    const owner = await server.createUser();
    const made = [];
    for (const name of ['a', 'b', 'c']) made.push(await personalToken(server, ['account'], { userId: owner, name }));
    await server.db.knex('api_tokens').where({ id: made[0]!.tokenId }).update({ blocked: true });
    await server.db.knex('api_tokens').where({ id: made[1]!.tokenId }).update({ expires_at: new Date(Date.now() - 1000) });

    const all: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await readOnly.admin.apiTokens.list({ query: { user_id: owner, limit: 2, sort: 'created_at', ...(cursor ? { cursor } : {}) } });
      if (page.status !== 200) throw new Error(`list: ${page.status}`);
      all.push(...page.body.items.map((item) => item.name));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(all).toEqual(['a', 'b', 'c']);

    const statuses = async (status: 'active' | 'blocked' | 'expired' | 'revoked') => {
      const page = await readOnly.admin.apiTokens.list({ query: { user_id: owner, status } });
      return page.status === 200 ? page.body.items.map((item) => item.name) : page.status;
    };
    expect(await statuses('blocked')).toEqual(['a']);
    expect(await statuses('expired')).toEqual(['b']);
    expect(await statuses('active')).toEqual(['c']);
    expect(await statuses('revoked')).toEqual([]);

    // A cursor made for one owner's list is refused for another's, and a tampered one too.
    const first = await readOnly.admin.apiTokens.list({ query: { user_id: owner, limit: 1 } });
    if (first.status !== 200 || !first.body.next_cursor) throw new Error('expected a next page');
    const replayed = await readOnly.admin.apiTokens.list({ query: { limit: 1, cursor: first.body.next_cursor } });
    expect(replayed.status).toBe(400);
    expect(replayed.body).toMatchObject({ code: 'invalid_cursor' });
    const [payload, mac] = first.body.next_cursor.split('.');
    const tampered = `${Buffer.from(JSON.stringify(['1970-01-01T00:00:00.000000Z', made[0]!.tokenId])).toString('base64url')}.${mac}`;
    expect(payload).not.toBe(tampered.split('.')[0]);
    expect((await readOnly.admin.apiTokens.list({ query: { user_id: owner, limit: 1, cursor: tampered } })).status).toBe(400);
  });

  it.each([
    ['an unknown filter', { owner: 'x' }],
    ['a status outside the allowlist', { status: 'deleted' }],
    ['a sort outside the allowlist', { sort: 'token_hash' }],
    ['a user id that is not a uuid', { user_id: "x' or 1=1 --" }],
  ])('refuses %s with 400', async (_label, query) => {
    const response = await readOnly.admin.apiTokens.list({ query: query as never });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
  });

  it('401 without a token, 403 for a read-only caller writing, 403 for a non-admin user\'s token, and a PAT works', async () => {
    const { tokenId } = await personalToken(server, ['account']);
    const anonymous = await apiClient(server).admin.apiTokens.list({ query: {} });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/Bearer realm="latchkey"/);
    const denied = await readOnly.admin.apiTokens.revoke({ params: { id: tokenId } });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: 'insufficient_scope' });
    expect(denied.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="api_tokens:write"/);
    expect((await server.db.knex('api_tokens').where({ id: tokenId }).first()).revoked_at).toBeNull();

    // An admin's PAT with api_tokens:read works; once the owner is no admin its admin scope no longer counts.
    const { token, userId } = await personalToken(server, ['api_tokens:read'], { role: 'admin' });
    expect((await apiClient(server, token).admin.apiTokens.list({ query: {} })).status).toBe(200);
    await server.db.knex('users').where({ id: userId }).update({ role: 'user' });
    expect((await apiClient(server, token).admin.apiTokens.list({ query: {} })).status).toBe(403);
  });
});
