import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, personalToken, startApiTestServer, userToken } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * /api/v1/me/passkeys: the caller's own passkeys only. Listing and renaming
 * work with an `account` token; removing one needs a recent two-step sign-in
 * that no token shows, so it is refused (403) for a passkey the caller holds,
 * and 404 for anyone else's. Adding one is the browser's ceremony (console).
 */
describe('account API: passkeys (/api/v1/me/passkeys)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startApiTestServer();
  });
  afterAll(() => server?.stop());

  const addRow = async (userId: string, name: string, deviceType = 'singleDevice') =>
    (
      await server.db
        .knex('webauthn_credentials')
        .insert({ credential_id: randomBytes(16).toString('base64url'), user_id: userId, name, public_key: randomBytes(77).toString('base64url'), device_type: deviceType, backed_up: deviceType === 'multiDevice' })
        .returning('id')
    )[0].id as string;

  it('lists, renames and refuses to remove without a recent second factor; never touches another account\'s', async () => {
    const userId = await server.createUser();
    const laptop = await addRow(userId, 'Laptop');
    const phone = await addRow(userId, 'Phone', 'multiDevice');
    const strangers = await addRow(await server.createUser(), 'Not yours');
    const api = apiClient(server, (await userToken(server, ['account'], { userId })).token);

    const list = await api.me.passkeys.list();
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toBe('no-store');
    const items = (list.body as { items: Array<Record<string, unknown>> }).items;
    expect(items.map((item) => [item.id, item.name, item.synced])).toEqual([[laptop, 'Laptop', false], [phone, 'Phone', true]]);
    expect(Object.keys(items[0]!).sort()).toEqual(['created_at', 'id', 'last_used_at', 'name', 'synced']);

    const renamed = await api.me.passkeys.rename({ params: { id: laptop }, body: { name: '  Work laptop ' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: laptop, name: 'Work laptop' });
    expect((await server.db.knex('webauthn_credentials').where({ id: laptop }).first()).name).toBe('Work laptop');

    for (const name of ['', 'x'.repeat(65)]) expect((await api.me.passkeys.rename({ params: { id: laptop }, body: { name } })).status).toBe(400);
    expect((await api.me.passkeys.rename({ params: { id: strangers }, body: { name: 'Mine now' } })).status).toBe(404);
    expect((await server.db.knex('webauthn_credentials').where({ id: strangers }).first()).name).toBe('Not yours');

    const removed = await api.me.passkeys.remove({ params: { id: phone } });
    expect(removed.status).toBe(403);
    expect((removed.body as { code: string; detail: string }).code).toBe('forbidden');
    expect((removed.body as { detail: string }).detail).toMatch(/recent two-step sign-in/);
    expect(await server.db.knex('webauthn_credentials').where({ user_id: userId }).pluck('id')).toHaveLength(2);
    expect((await api.me.passkeys.remove({ params: { id: strangers } })).status).toBe(404);
    expect((await api.me.passkeys.remove({ params: { id: 'not-a-uuid' } })).status).toBe(400);
  });

  it('answers a personal API token with the account scope the same way', async () => {
    const { token, userId } = await personalToken(server, ['account']);
    const id = await addRow(userId, 'Key');
    const api = apiClient(server, token);
    expect(((await api.me.passkeys.list()).body as { items: unknown[] }).items).toHaveLength(1);
    expect((await api.me.passkeys.remove({ params: { id } })).status).toBe(403);
  });
});
