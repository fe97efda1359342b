import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_API_SCOPES } from '../src/api-tokens/scopes.ts';
import { signInWithTokens } from './support/account-flow.ts';
import { adminToken, apiClient, clientApi, clientCredentialsToken, etag, startApiTestServer, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * /api/v1/admin/users through the typed client: search with allowlisted
 * filters and sort, create, PATCH with If-Match, and the account's standing
 * (block, lock, delete …), which goes through the CLI's own status service,
 * so a user blocked through the API is dead everywhere at once.
 */
describe('admin API: users', () => {
  let server: TestServer;
  let api: ApiClient;
  let token: string;
  let clientId: string;
  const email = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}@example.com`;

  beforeAll(async () => {
    server = await startApiTestServer();
    // Every admin API scope: only such a caller may make an admin (attack.admin-scope-escalation).
    ({ token, clientId } = await clientCredentialsToken(server, [...ADMIN_API_SCOPES]));
    api = apiClient(server, token);
  });
  afterAll(() => server?.stop());

  const create = async (label: string, extra: Record<string, unknown> = {}) => {
    const answer = await api.admin.users.create({ body: { email: email(label), ...extra } });
    if (answer.status !== 201) throw new Error(`create: ${answer.status} ${JSON.stringify(answer.body)}`);
    return { ...answer.body, etag: etag(answer) };
  };

  it('creates a user (email verified, audited with the client as actor), gets it with the same ETag', async () => {
    const created = await create('ada', { name: 'Ada', role: 'admin', password: 'correct horse battery staple' });
    expect(created).toMatchObject({ email_verified: true, display_name: 'Ada', role: 'admin', status: 'active', locked_until: null });
    const got = await api.admin.users.get({ params: { id: created.id } });
    expect(got.status).toBe(200);
    expect(etag(got)).toBe(created.etag);
    const event = await server.db.knex('audit_events').where({ type: 'sign_up', subject_id: created.id }).first();
    expect(event).toMatchObject({ actor_type: 'client', actor_id: clientId, data: { via: 'api', role: 'admin' } });
  });

  it('refuses mass assignment, bad input and a taken address with 400/409, writing nothing', async () => {
    const before = await server.db.knex('users').count({ n: '*' }).first();
    const massAssigned = await api.admin.users.create({ body: { email: email('mass'), email_verified: false, status: 'blocked' } as never });
    expect(massAssigned.status).toBe(400);
    expect(massAssigned.body).toMatchObject({
      code: 'validation_failed',
      errors: expect.arrayContaining([{ path: 'body.email_verified', message: 'unknown field' }, { path: 'body.status', message: 'unknown field' }]),
    });
    const badEmail = await api.admin.users.create({ body: { email: 'Ada <ada@example.com>' } });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.email' }] });
    const shortPassword = await api.admin.users.create({ body: { email: email('short'), password: 'abc' } });
    expect(shortPassword.status).toBe(400);
    expect(shortPassword.body).toMatchObject({ errors: [{ path: 'body.password' }] });
    expect((await api.admin.users.create({ body: { email: 'x@example.com', role: 'root' as never } })).status).toBe(400);
    expect(await server.db.knex('users').count({ n: '*' }).first()).toEqual(before);
    const taken = await create('taken');
    const again = await api.admin.users.create({ body: { email: taken.email!.toUpperCase() } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict' });
  });

  it('PATCH needs If-Match (428), refuses a stale ETag (412) and unknown fields (400), 404 for nobody, 409 for a taken username', async () => {
    const user = await create('patch');
    const missing = await api.admin.users.update({ params: { id: user.id }, headers: {}, body: { display_name: 'X' } });
    expect(missing.status).toBe(428);
    const updated = await api.admin.users.update({ params: { id: user.id }, headers: { 'if-match': user.etag }, body: { display_name: 'Grace', role: 'admin' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ display_name: 'Grace', role: 'admin' });
    expect(etag(updated)).not.toBe(user.etag);
    const stale = await api.admin.users.update({ params: { id: user.id }, headers: { 'if-match': user.etag }, body: { display_name: 'Old' } });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'precondition_failed' });
    const unknown = await api.admin.users.update({ params: { id: user.id }, headers: { 'if-match': etag(updated) }, body: { email_verified: true, scopes: ['x'] } as never });
    expect(unknown.status).toBe(400);
    expect((await api.admin.users.get({ params: { id: user.id } })).body).toMatchObject({ display_name: 'Grace', email_verified: true, scopes: [] });
    const event = await server.db.knex('audit_events').where({ type: 'user.updated', subject_id: user.id }).first();
    expect(event).toMatchObject({ actor_type: 'client', actor_id: clientId, data: { fields: ['display_name', 'role'], role: 'admin' } });

    const nobody = '00000000-0000-4000-8000-000000000000';
    expect((await api.admin.users.get({ params: { id: nobody } })).status).toBe(404);
    expect((await api.admin.users.update({ params: { id: nobody }, headers: { 'if-match': '"1"' }, body: { display_name: 'X' } })).status).toBe(404);
    expect((await api.admin.users.get({ params: { id: 'not-a-uuid' } })).status).toBe(400);

    const first = await create('first');
    const second = await create('second');
    const named = await api.admin.users.update({ params: { id: first.id }, headers: { 'if-match': first.etag }, body: { username: 'grace_h' } });
    expect(named.status).toBe(200);
    const clash = await api.admin.users.update({ params: { id: second.id }, headers: { 'if-match': second.etag }, body: { username: 'GRACE_H' } });
    expect(clash.status).toBe(409);
  });

  it('two admins updating one user with the same ETag: exactly one 200, one 412', async () => {
    const user = await create('race');
    const other = apiClient(server, (await adminToken(server, ['users:read', 'users:write'])).token);
    const answers = await Promise.all([
      api.admin.users.update({ params: { id: user.id }, headers: { 'if-match': user.etag }, body: { first_name: 'Alice' } }),
      other.admin.users.update({ params: { id: user.id }, headers: { 'if-match': user.etag }, body: { first_name: 'Bob' } }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 412]);
    const winner = answers.find((a) => a.status === 200)!.body as { first_name: string };
    expect((await api.admin.users.get({ params: { id: user.id } })).body).toMatchObject({ first_name: winner.first_name });
  });

  it('blocking through the API (PATCH status or POST block) is dead everywhere: session, access and refresh tokens, and the user\'s own API token', async () => {
    for (const via of ['patch', 'block'] as const) {
      const person = await signInWithTokens(server);
      expect(await person.silent(server.url)).toBe('code');
      if (via === 'patch') {
        const current = await api.admin.users.get({ params: { id: person.userId } });
        const blocked = await api.admin.users.update({ params: { id: person.userId }, headers: { 'if-match': etag(current) }, body: { status: 'blocked' } });
        expect(blocked.status).toBe(200);
        expect(blocked.body).toMatchObject({ status: 'blocked' });
      } else {
        const blocked = await api.admin.users.block({ params: { id: person.userId }, body: { reason: 'abuse report 17' } });
        expect(blocked.status).toBe(200);
        expect(blocked.body).toMatchObject({ user: { status: 'blocked' }, sessions_revoked: 1, grants_revoked: 1 });
      }
      expect(await person.silent(server.url)).toBe('login_required');
      expect(await client.tokenIntrospection(person.config, person.tokens.access_token)).toEqual({ active: false });
      expect(await client.tokenIntrospection(person.config, person.tokens.refresh_token!)).toEqual({ active: false });
      await expect(client.refreshTokenGrant(person.config, person.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
      const events = await server.db.knex('audit_events').where({ subject_type: 'user', subject_id: person.userId }).whereIn('type', ['user.blocked', 'grant.revoked']);
      expect(events.map((e) => [e.type, e.actor_type, e.actor_id]).sort()).toEqual([
        ['grant.revoked', 'client', clientId],
        ['user.blocked', 'client', clientId],
      ]);
      const unblocked = await api.admin.users.unblock({ params: { id: person.userId }, body: {} });
      expect(unblocked.body).toMatchObject({ user: { status: 'active' }, sessions_revoked: 0 });
    }
  });

  it('an admin blocked through the API loses their own API access at once (401)', async () => {
    const admin = await adminToken(server, ['users:read']);
    const theirs = apiClient(server, admin.token);
    expect((await theirs.admin.users.get({ params: { id: admin.userId } })).status).toBe(200);
    expect((await api.admin.users.block({ params: { id: admin.userId }, body: {} })).status).toBe(200);
    expect((await theirs.admin.users.get({ params: { id: admin.userId } })).status).toBe(401);
  });

  it('lock until a time, unlock; delete is final (409 after); a lock in the past is a 400', async () => {
    const user = await create('lock');
    const until = new Date(Date.now() + 3600_000).toISOString();
    const locked = await api.admin.users.lock({ params: { id: user.id }, body: { until, reason: 'investigating' } });
    expect(locked.status).toBe(200);
    expect(locked.body).toMatchObject({ user: { locked_until: until } });
    expect((await api.admin.users.lock({ params: { id: user.id }, body: { until: '2001-01-01T00:00:00Z' } })).status).toBe(400);
    expect((await api.admin.users.unlock({ params: { id: user.id }, body: {} })).body).toMatchObject({ user: { locked_until: null } });
    const deleted = await api.admin.users.delete({ params: { id: user.id } });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ user: { status: 'deleted', deleted_at: expect.any(String) } });
    expect((await api.admin.users.delete({ params: { id: user.id } })).status).toBe(409);
    expect((await api.admin.users.unblock({ params: { id: user.id }, body: {} })).status).toBe(409);
    expect((await api.admin.users.update({ params: { id: user.id }, headers: { 'if-match': etag(await api.admin.users.get({ params: { id: user.id } })) }, body: { first_name: 'X' } })).status).toBe(409);
    expect((await api.admin.users.block({ params: { id: '00000000-0000-4000-8000-000000000000' }, body: {} })).status).toBe(404);
  });

  it('signs a user out everywhere, and revokes grants (one app, then all)', async () => {
    const person = await signInWithTokens(server);
    const signedOut = await api.admin.users.signOut({ params: { id: person.userId }, body: { reason: 'lost laptop' } });
    expect(signedOut.status).toBe(200);
    expect(signedOut.body).toEqual({ sessions_revoked: 1 });
    expect(await person.silent(server.url)).toBe('login_required');
    // Grants stay until revoked: the app's refresh token still works.
    expect(await client.tokenIntrospection(person.config, person.tokens.refresh_token!)).toMatchObject({ active: true });

    expect((await api.admin.users.revokeGrants({ params: { id: person.userId }, body: { client_id: 'no-such-client' } })).status).toBe(404);
    const one = await api.admin.users.revokeGrants({ params: { id: person.userId }, body: { client_id: person.client.client_id } });
    expect(one.body).toEqual({ grants_revoked: 1 });
    expect(await client.tokenIntrospection(person.config, person.tokens.refresh_token!)).toEqual({ active: false });
    expect((await api.admin.users.revokeGrants({ params: { id: person.userId }, body: {} })).body).toEqual({ grants_revoked: 0 });
    expect((await api.admin.users.signOut({ params: { id: '00000000-0000-4000-8000-000000000000' }, body: {} })).status).toBe(404);
  });

  it('401 without a token and 403 with too few scopes on every route', async () => {
    const user = await create('authz');
    const calls = (c: ApiClient) => [
      c.admin.users.list({ query: {} }),
      c.admin.users.get({ params: { id: user.id } }),
      c.admin.users.create({ body: { email: email('authz') } }),
      c.admin.users.update({ params: { id: user.id }, headers: { 'if-match': user.etag }, body: { first_name: 'X' } }),
      c.admin.users.block({ params: { id: user.id }, body: {} }),
      c.admin.users.unblock({ params: { id: user.id }, body: {} }),
      c.admin.users.lock({ params: { id: user.id }, body: { until: new Date(Date.now() + 60_000).toISOString() } }),
      c.admin.users.unlock({ params: { id: user.id }, body: {} }),
      c.admin.users.signOut({ params: { id: user.id }, body: {} }),
      c.admin.users.revokeGrants({ params: { id: user.id }, body: {} }),
      c.admin.users.delete({ params: { id: user.id } }),
    ];
    const anonymous = await Promise.all(calls(apiClient(server)));
    expect(anonymous.map((r) => r.status)).toEqual(Array(11).fill(401));
    expect(anonymous[0]!.headers.get('www-authenticate')).toMatch(/^Bearer realm="latchkey"/);
    const readOnly = await clientApi(server, ['users:read']);
    expect((await Promise.all(calls(readOnly))).map((r) => r.status)).toEqual([200, 200, ...Array(9).fill(403)]);
    expect((await api.admin.users.get({ params: { id: user.id } })).body).toMatchObject({ status: 'active', first_name: null, locked_until: null });
  });

  it('searches with allowlisted filters and sort, and pages with a cursor', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const made = [];
    for (const i of [0, 1, 2, 3, 4]) made.push(await create(`find${tag}${i}`, i === 4 ? { role: 'admin' } : {}));
    await api.admin.users.block({ params: { id: made[3]!.id }, body: {} });

    const prefixed = await api.admin.users.list({ query: { email_prefix: `FIND${tag}`, sort: 'email' } });
    expect(prefixed.status).toBe(200);
    if (prefixed.status !== 200) return;
    expect(prefixed.body.items.map((u) => u.id)).toEqual(made.map((u) => u.id));
    const contains = await api.admin.users.list({ query: { email_contains: `${tag}2-`, sort: '-email' } });
    expect(contains.body).toMatchObject({ items: [{ id: made[2]!.id }], next_cursor: null });
    const blocked = await api.admin.users.list({ query: { email_prefix: `find${tag}`, status: 'blocked' } });
    expect(blocked.body).toMatchObject({ items: [{ id: made[3]!.id }] });
    const admins = await api.admin.users.list({ query: { email_prefix: `find${tag}`, role: 'admin' } });
    expect(admins.body).toMatchObject({ items: [{ id: made[4]!.id }] });
    const later = await api.admin.users.list({ query: { email_prefix: `find${tag}`, created_after: made[2]!.created_at, sort: 'created_at' } });
    expect(later.status === 200 && later.body.items.map((u) => u.id)).toEqual(made.slice(2).map((u) => u.id));
    const earlier = await api.admin.users.list({ query: { email_prefix: `find${tag}`, created_before: made[2]!.created_at, sort: 'created_at' } });
    expect(earlier.status === 200 && earlier.body.items.map((u) => u.id)).toEqual(made.slice(0, 2).map((u) => u.id));

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = await api.admin.users.list({ query: { email_prefix: `find${tag}`, sort: '-email', limit: 2, ...(cursor ? { cursor } : {}) } });
      if (page.status !== 200) throw new Error(`page ${page.status}`);
      seen.push(...page.body.items.map((u) => u.id));
      if (!page.body.next_cursor) break;
      cursor = page.body.next_cursor;
    }
    expect(seen).toEqual(made.map((u) => u.id).reverse());
    // The cursor is bound to its filters and sort.
    const first = await api.admin.users.list({ query: { email_prefix: `find${tag}`, limit: 2 } });
    const next = first.status === 200 ? first.body.next_cursor! : '';
    expect((await api.admin.users.list({ query: { email_prefix: 'a', limit: 2, cursor: next } })).body).toMatchObject({ code: 'invalid_cursor' });
    expect((await api.admin.users.list({ query: { email_prefix: `find${tag}`, sort: 'email', limit: 2, cursor: next } })).status).toBe(400);
  });

  it('filter and sort values outside the allowlist, and SQL-looking values, are a 400 and change nothing', async () => {
    const count = async () => Number(((await server.db.knex('users').count({ n: '*' }).first()) as { n: string }).n);
    const before = await count();
    const raw = (query: string) => fetch(`${server.url}/api/v1/admin/users?${query}`, { headers: { authorization: `Bearer ${token}` } });
    for (const query of [
      'sort=password_hash',
      `sort=${encodeURIComponent('email; drop table users --')}`,
      `sort=${encodeURIComponent('created_at desc, (select 1)')}`,
      `status=${encodeURIComponent("active' or '1'='1")}`,
      'role=superuser',
      `email_contains=${encodeURIComponent("' or 1=1 --")}`,
      `email_prefix=${encodeURIComponent("a'); delete from users; --")}`,
      'created_after=yesterday',
      'password_hash=x',
      'limit=0',
      'limit=101',
    ]) {
      const answer = await raw(query);
      expect(answer.status, query).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await answer.json(), query).toMatchObject({ code: 'validation_failed' });
    }
    // LIKE's wildcards match only themselves.
    const wildcard = await api.admin.users.list({ query: { email_contains: '%' } });
    expect(wildcard.body).toEqual({ items: [], next_cursor: null });
    const underscore = await api.admin.users.list({ query: { email_prefix: '_' } });
    expect(underscore.body).toEqual({ items: [], next_cursor: null });
    expect(await count()).toBe(before);
  });
});
