import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitationCodeHashes } from '../src/accounts/invitations.ts';
import { findUsableInvitation } from '../src/db/invitations.ts';
import { adminToken, apiClient, clientApi, startApiTestServer, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * /api/v1/admin/invitations: created by the CLI's own service (code shown
 * once, stored hashed), listed by status, revoked (the code stops working).
 */
describe('admin API: invitations', () => {
  let server: TestServer;
  let api: ApiClient;
  let adminId: string;
  beforeAll(async () => {
    server = await startApiTestServer();
    const admin = await adminToken(server, ['invitations:read', 'invitations:write']);
    adminId = admin.userId;
    api = apiClient(server, admin.token);
  });
  afterAll(() => server?.stop());

  const usable = (code: string, email = 'anyone@example.com') => findUsableInvitation(server.db.knex, invitationCodeHashes(server.keyring, code), email);

  const create = async (body: NonNullable<NonNullable<Parameters<ApiClient['admin']['invitations']['create']>[0]>['body']> = {}) => {
    const answer = await api.admin.invitations.create({ body });
    if (answer.status !== 201) throw new Error(`create: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  it('creates an invitation: the code and link once, only a hash stored, 7 days by default, audited with the admin as actor', async () => {
    const created = await create({ email: 'grace@example.com', scopes: ['beta', 'read:things'] });
    expect(created.url).toBe(`${server.issuer}/signup?invitation=${created.code}`);
    expect(created.invitation).toMatchObject({ email: 'grace@example.com', scopes: ['beta', 'read:things'], status: 'pending', created_by: adminId, redeemed_at: null });
    const days = (Date.parse(created.invitation.expires_at!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(JSON.stringify(await server.db.knex('invitations').select('*'))).not.toContain(created.code);
    expect(await usable(created.code, 'grace@example.com')).toMatchObject({ id: created.invitation.id });
    const event = await server.db.knex('audit_events').where({ type: 'invitation.created', subject_id: created.invitation.id }).first();
    expect(event).toMatchObject({ actor_type: 'user', actor_id: adminId, data: { scopes: ['beta', 'read:things'], email_bound: true, via: 'api' } });
    expect(JSON.stringify(event)).not.toContain(created.code);
    const got = await api.admin.invitations.get({ params: { id: created.invitation.id } });
    expect(got.body).toEqual(created.invitation);
    expect((await create({ expires_in: null })).invitation.expires_at).toBeNull();
  });

  it('revokes: the code stops working at once; revoking again, or a redeemed one, is a 409; nobody is a 404', async () => {
    const { invitation, code } = await create();
    const revoked = await api.admin.invitations.revoke({ params: { id: invitation.id } });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: invitation.id, status: 'revoked', revoked_at: expect.any(String) });
    expect(await usable(code)).toBeUndefined();
    expect(await server.db.knex('audit_events').where({ type: 'invitation.revoked', subject_id: invitation.id, actor_id: adminId })).toHaveLength(1);
    expect((await api.admin.invitations.revoke({ params: { id: invitation.id } })).status).toBe(409);

    const redeemed = await create();
    const userId = await server.createUser();
    await server.db.knex('invitations').where({ id: redeemed.invitation.id }).update({ redeemed_at: new Date(), redeemed_by: userId });
    const late = await api.admin.invitations.revoke({ params: { id: redeemed.invitation.id } });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'conflict', detail: expect.stringMatching(/redeemed/) });

    const nobody = '00000000-0000-4000-8000-000000000000';
    expect((await api.admin.invitations.revoke({ params: { id: nobody } })).status).toBe(404);
    expect((await api.admin.invitations.get({ params: { id: nobody } })).status).toBe(404);
    expect((await api.admin.invitations.get({ params: { id: 'not-a-uuid' } })).status).toBe(400);
  });

  it('refuses unknown fields and bad values with 400, creating nothing', async () => {
    const count = async () => (await server.db.knex('invitations').count({ n: '*' }).first())?.n;
    const before = await count();
    for (const body of [
      { code: 'chosen-by-me' },
      { created_by: adminId },
      { email: 'Ada <ada@example.com>' },
      { scopes: ['has space'] },
      { scopes: ['"quoted"'] },
      { expires_in: 0 },
      { expires_in: 366 * 86_400 },
      { expires_in: 1.5 },
    ]) {
      const answer = await api.admin.invitations.create({ body: body as never });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toMatchObject({ code: 'validation_failed' });
    }
    expect(await count()).toBe(before);
  });

  it('lists by status, newest first, page by page', async () => {
    const made = [(await create()).invitation, (await create()).invitation, (await create()).invitation];
    await server.db.knex('invitations').where({ id: made[0]!.id }).update({ expires_at: new Date(Date.now() - 1000) });
    const pending = await api.admin.invitations.list({ query: { status: 'pending', limit: 100 } });
    expect(pending.status === 200 && pending.body.items.map((i) => i.id)).toEqual(expect.arrayContaining([made[1]!.id, made[2]!.id]));
    expect(pending.status === 200 && pending.body.items.map((i) => i.id)).not.toContain(made[0]!.id);
    const expired = await api.admin.invitations.list({ query: { status: 'expired' } });
    expect(expired.status === 200 && expired.body.items.map((i) => [i.id, i.status])).toEqual([[made[0]!.id, 'expired']]);
    const revoked = await api.admin.invitations.list({ query: { status: 'revoked' } });
    expect(revoked.status === 200 && revoked.body.items.every((i) => i.status === 'revoked' && i.revoked_at)).toBe(true);

    const page1 = await api.admin.invitations.list({ query: { limit: 2 } });
    if (page1.status !== 200) throw new Error('list');
    expect(page1.body.items.map((i) => i.id)).toEqual([made[2]!.id, made[1]!.id]);
    const page2 = await api.admin.invitations.list({ query: { limit: 2, cursor: page1.body.next_cursor! } });
    expect(page2.status === 200 && page2.body.items[0]!.id).toBe(made[0]!.id);
    expect((await api.admin.invitations.list({ query: { limit: 2, status: 'pending', cursor: page1.body.next_cursor! } })).body).toMatchObject({ code: 'invalid_cursor' });
    expect((await api.admin.invitations.list({ query: { status: 'all' as never } })).status).toBe(400);
    expect((await api.admin.invitations.list({ query: { sort: 'code_hash' as never } })).status).toBe(400);
  });

  it('401 without a token, 403 with too few scopes', async () => {
    const { invitation } = await create();
    const calls = (c: ApiClient) => [
      c.admin.invitations.list({ query: {} }),
      c.admin.invitations.get({ params: { id: invitation.id } }),
      c.admin.invitations.create({ body: {} }),
      c.admin.invitations.revoke({ params: { id: invitation.id } }),
    ];
    expect((await Promise.all(calls(apiClient(server)))).map((r) => r.status)).toEqual([401, 401, 401, 401]);
    const readOnly = await clientApi(server, ['invitations:read']);
    expect((await Promise.all(calls(readOnly))).map((r) => r.status)).toEqual([200, 200, 403, 403]);
    const plainUser = await clientApi(server, ['users:read']);
    expect((await Promise.all(calls(plainUser))).map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect((await api.admin.invitations.get({ params: { id: invitation.id } })).body).toMatchObject({ status: 'pending' });
  });
});
