import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, clientApi, etag, startApiTestServer, userToken, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';

describe('account API: profile (/api/v1/me)', () => {
  let server: TestServer;
  let api: ApiClient;
  let userId: string;
  beforeAll(async () => {
    server = await startApiTestServer();
    userId = await server.createUser({ email_verified: false, first_name: 'Ada', last_name: 'Lovelace' });
    api = apiClient(server, (await userToken(server, ['account'], { userId })).token);
  });
  afterAll(() => server?.stop());

  it('reads the profile with an ETag and changes names with If-Match, audited', async () => {
    const got = await api.me.profile.get();
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: userId, first_name: 'Ada', last_name: 'Lovelace', email_verified: false });
    const updated = await api.me.profile.update({
      headers: { 'if-match': etag(got) },
      body: { display_name: '  Countess  ', first_name: null, username: 'ada.l' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ display_name: 'Countess', first_name: null, last_name: 'Lovelace', username: 'ada.l' });
    expect(etag(updated)).not.toBe(etag(got));
    expect(etag(await api.me.profile.get())).toBe(etag(updated));
    const event = await server.db.knex('audit_events').where({ type: 'profile.updated', subject_id: userId }).first();
    expect(event).toMatchObject({ actor_type: 'user', actor_id: userId });
    expect(event.data.fields.sort()).toEqual(['display_name', 'first_name', 'username']);
  });

  it('refuses mass assignment: role, email_verified or any unknown field is a 400 and nothing changes', async () => {
    const got = await api.me.profile.get();
    const attack = await api.me.profile.update({
      headers: { 'if-match': etag(got) },
      body: { role: 'admin', email_verified: true } as never,
    });
    expect(attack.status).toBe(400);
    expect(attack.headers.get('content-type')).toContain('application/problem+json');
    expect(attack.body).toMatchObject({ code: 'validation_failed' });
    const paths = (attack.body as { errors: Array<{ path: string }> }).errors.map((e) => e.path).sort();
    expect(paths).toEqual(['body.email_verified', 'body.role']);
    // Mixed with a legal field, still refused as a whole.
    const mixed = await api.me.profile.update({ headers: { 'if-match': etag(got) }, body: { display_name: 'x', status: 'active', scopes: ['users:write'] } as never });
    expect(mixed.status).toBe(400);
    const row = await server.db.knex('users').where({ id: userId }).first();
    expect(row).toMatchObject({ role: 'user', email_verified: false, status: 'active', scopes: [] });
    expect(row.display_name).not.toBe('x');
    expect(etag(await api.me.profile.get())).toBe(etag(got));
  });

  it('validates fields: a malformed username or a control character is a 400 naming the field', async () => {
    const got = await api.me.profile.get();
    const username = await api.me.profile.update({ headers: { 'if-match': etag(got) }, body: { username: 'a b' } });
    expect(username.status).toBe(400);
    expect((username.body as { errors: Array<{ path: string }> }).errors[0]!.path).toBe('body.username');
    const control = await api.me.profile.update({ headers: { 'if-match': etag(got) }, body: { last_name: 'Love\nlace' } });
    expect(control.status).toBe(400);
    expect(control.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.last_name' }] });
  });

  it('needs If-Match (428) and refuses a stale one (412): two writers never overwrite each other', async () => {
    const missing = await api.me.profile.update({ body: { display_name: 'No tag' } });
    expect(missing.status).toBe(428);
    expect(missing.body).toMatchObject({ code: 'precondition_required' });
    const read = await api.me.profile.get();
    const first = await api.me.profile.update({ headers: { 'if-match': etag(read) }, body: { display_name: 'First writer' } });
    expect(first.status).toBe(200);
    const second = await api.me.profile.update({ headers: { 'if-match': etag(read) }, body: { display_name: 'Second writer' } });
    expect(second.status).toBe(412);
    expect(second.body).toMatchObject({ code: 'precondition_failed' });
    expect((await api.me.profile.get()).body).toMatchObject({ display_name: 'First writer' });
  });

  it('a username another account holds is a 409 (compared case-insensitively)', async () => {
    await server.createUser({ username: 'Taken_Name' });
    const got = await api.me.profile.get();
    const clash = await api.me.profile.update({ headers: { 'if-match': etag(got) }, body: { username: 'taken_name' } });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ code: 'conflict', errors: [{ path: 'body.username' }] });
  });

  it('401 without a token, 403 for a token without the account scope or without a user', async () => {
    const anonymous = await apiClient(server).me.profile.get();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm="latchkey"/);
    const wrongScope = await (await clientApi(server, ['scopes:read'])).me.profile.get();
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.body).toMatchObject({ code: 'insufficient_scope' });
    const machine = await (await clientApi(server, ['account'])).me.profile.get();
    expect(machine.status).toBe(403);
  });
});
