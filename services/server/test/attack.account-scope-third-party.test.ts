import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, apiClient, etag, personalToken, startApiTestServer, userToken, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * Attack: a third-party app the person consented to asks for `account` on
 * `<issuer>/api` and uses it to take the account over — point the email at
 * an address it controls (the code goes to the new address), or change the
 * password, or mint personal API tokens that outlive the app's grant. The
 * `account` scope counts only through first-party clients (and in personal
 * API tokens); a third-party app's token gets 403 insufficient_scope on /me.
 */
describe('attack: a third-party app uses the account scope to take the account over', () => {
  let server: TestServer;
  let admin: ApiClient;
  beforeAll(async () => {
    server = await startApiTestServer();
    // A client's settings are changed only by a token carrying the scopes the client holds (account here).
    admin = apiClient(server, (await adminToken(server, ['clients:read', 'clients:write', 'account'])).token);
  });
  afterAll(() => server?.stop());

  // One after another, password last: a password change signs out the session the token came from.
  const takeover = async (api: ApiClient) => [
    await api.me.profile.get(),
    await api.me.email.start({ body: { email: `attacker-${Date.now()}@example.com` } }),
    await api.me.apiTokens.create({ body: { name: 'outlives the grant', scopes: ['account'], expires_in_days: 30 } }),
    await api.me.password.change({ body: { new_password: 'attacker chosen passphrase' } }),
  ] as const;

  it('a third-party client\'s user token with account: 403 insufficient_scope on /me/email, /me/password, /me/api-tokens, nothing changed', async () => {
    const userId = await server.createUser({ password_hash: null });
    const before = await server.db.knex('users').where({ id: userId }).first('email', 'password_hash');
    const { token } = await userToken(server, ['account'], { userId, firstParty: false });
    for (const answer of await takeover(apiClient(server, token))) {
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: 'insufficient_scope' });
      expect(answer.headers.get('www-authenticate')).toContain('error="insufficient_scope", scope="account"');
    }
    expect(await server.db.knex('users').where({ id: userId }).first('email', 'password_hash')).toEqual(before);
    expect(await server.db.knex('api_tokens').join('api_token_owners', 'api_token_owners.id', 'api_tokens.owner_id').where({ user_id: userId })).toEqual([]);
  });

  it('a first-party client\'s token works', async () => {
    const userId = await server.createUser({ password_hash: null });
    const [profile, email, created, password] = await takeover(apiClient(server, (await userToken(server, ['account'], { userId, firstParty: true })).token));
    expect(profile.status).toBe(200);
    expect(email.status).toBe(202);
    expect(created.status).toBe(201);
    expect(password.status).toBe(200);
  });

  it('marking a client third-party cuts its live tokens off at once', async () => {
    const { token, clientId } = await userToken(server, ['account'], { firstParty: true });
    const api = apiClient(server, token);
    expect((await api.me.profile.get()).status).toBe(200);
    const current = await admin.admin.clients.get({ params: { client_id: clientId } });
    const demoted = await admin.admin.clients.update({ params: { client_id: clientId }, headers: { 'if-match': etag(current) }, body: { first_party: false } });
    expect(demoted.status, JSON.stringify(demoted.body)).toBe(200);
    const after = await api.me.profile.get();
    expect(after.status).toBe(403);
    expect(after.body).toMatchObject({ code: 'insufficient_scope' });
  });

  it('a personal API token with account keeps working (the person made it themselves)', async () => {
    const { token } = await personalToken(server, ['account']);
    const api = apiClient(server, token);
    expect((await api.me.profile.get()).status).toBe(200);
    expect((await api.me.apiTokens.create({ body: { name: 'child', scopes: ['account'], expires_in_days: 1 } })).status).toBe(201);
    expect((await api.me.password.change({ body: { new_password: 'a passphrase set by the owner' } })).status).toBe(200);
  });
});
