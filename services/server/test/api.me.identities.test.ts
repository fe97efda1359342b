import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { apiClient, startApiTestServer, userToken } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/** /api/v1/me/identities: the caller's linked social identities, and unlinking one (never the last way in). */
describe('account API: linked identities (/api/v1/me/identities)', () => {
  let server: TestServer;
  beforeAll(async () => {
    // An upstream configured (never contacted here): social sign-in is on, so identities count as ways in.
    server = await startApiTestServer({ env: { LATCHKEY_OIDC_ACME_ISSUER: 'https://login.acme.example', LATCHKEY_OIDC_ACME_CLIENT_ID: 'c', LATCHKEY_OIDC_ACME_CLIENT_SECRET: 's' } });
  });
  afterAll(() => server?.stop());

  const link = async (userId: string, providerId: string, email: string | null = null) =>
    ((await server.db.knex('auth_providers').insert({ user_id: userId, type: 'acme', provider_id: providerId, email, claims: '{}' }).returning('id')) as Array<{ id: string }>)[0]!.id;
  const api = async (userId: string) => apiClient(server, (await userToken(server, ['account'], { userId })).token);

  it('lists only the caller\'s identities, and unlinks one with an audit event', async () => {
    const userId = await server.createUser({ password_hash: await hashPassword('a password to fall back on') });
    const other = await server.createUser();
    const first = await link(userId, `a-${randomUUID()}`, 'me@upstream.example');
    const second = await link(userId, `b-${randomUUID()}`);
    await link(other, `c-${randomUUID()}`);
    const me = await api(userId);
    const listed = await me.me.identities.list();
    expect(listed.status).toBe(200);
    const items = (listed.body as { items: Array<{ id: string; provider: string; email: string | null; linked_at: string; last_used_at: string | null }> }).items;
    expect(items.map((item) => item.id).sort()).toEqual([first, second].sort());
    expect(items.find((item) => item.id === first)).toMatchObject({ provider: 'acme', email: 'me@upstream.example', last_used_at: null });
    expect(Number.isNaN(Date.parse(items[0]!.linked_at))).toBe(false);

    expect((await me.me.identities.unlink({ params: { id: first } })).status).toBe(204);
    expect(((await me.me.identities.list()).body as { items: Array<{ id: string }> }).items.map((item) => item.id)).toEqual([second]);
    expect(await server.db.knex('audit_events').where({ type: 'identity.unlinked', subject_id: userId }).first()).toMatchObject({ actor_id: userId, data: { provider: 'acme', identity_id: first } });
  });

  it('refuses to unlink the last way in (409), and answers another person\'s identity 404 and a malformed id 400', async () => {
    const onlySocial = await server.createUser({ email: null, email_verified: false });
    const id = await link(onlySocial, `only-${randomUUID()}`);
    const me = await api(onlySocial);
    const refused = await me.me.identities.unlink({ params: { id } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'conflict' });
    expect(await server.db.knex('auth_providers').where({ id }).first()).toBeDefined();

    const stranger = await api(await server.createUser());
    expect((await stranger.me.identities.unlink({ params: { id } })).status).toBe(404);
    expect((await stranger.me.identities.unlink({ params: { id: 'not-a-uuid' } })).status).toBe(400);
    expect(await server.db.knex('auth_providers').where({ id }).first()).toBeDefined();
  });

  it('refuses (403) to unlink for an account with a second factor: that needs the console\'s recent two-step sign-in', async () => {
    const userId = await server.createUser({ password_hash: await hashPassword('a password to fall back on'), totp_enabled: true, totp_secret: 'encrypted-seed-stand-in' });
    const id = await link(userId, `2fa-${randomUUID()}`);
    const refused = await (await api(userId)).me.identities.unlink({ params: { id } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'forbidden' });
    expect(await server.db.knex('auth_providers').where({ id }).first()).toBeDefined();
  });
});
