import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { apiClient, clientApi, startApiTestServer, userToken } from './support/api.ts';
import { signInWithTokens } from './support/account-flow.ts';
import type { TestServer } from './support/server.ts';

describe('account API: connected apps (/api/v1/me/apps)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startApiTestServer();
  });
  afterAll(() => server?.stop());

  it('lists the apps with their scopes and dates; disconnecting one kills its refresh token, audited, others untouched', async () => {
    const userId = await server.createUser();
    const mail = await signInWithTokens(server, { userId });
    const calendar = await signInWithTokens(server, { userId });
    const { token, clientId: consoleClient } = await userToken(server, ['account'], { userId });
    const api = apiClient(server, token);

    const listed = await api.me.apps.list();
    expect(listed.status).toBe(200);
    const items = (listed.body as { items: Array<{ client_id: string; client_name: string | null; scopes: string[]; resources: Array<{ resource: string; scopes: string[] }>; first_granted_at: string }> }).items;
    expect(items.map((app) => app.client_id).sort()).toEqual([mail.client.client_id, calendar.client.client_id, consoleClient].sort());
    const mailApp = items.find((app) => app.client_id === mail.client.client_id)!;
    expect(mailApp).toMatchObject({ client_name: `client-${mail.client.client_id}`, scopes: ['email', 'offline_access', 'openid'] });
    expect(Number.isNaN(Date.parse(mailApp.first_granted_at))).toBe(false);
    expect(items.find((app) => app.client_id === consoleClient)!.resources).toEqual([{ resource: `${server.issuer}/api`, scopes: expect.arrayContaining(['account']) }]);

    const revoked = await api.me.apps.revoke({ params: { client_id: mail.client.client_id } });
    expect(revoked.status).toBe(204);
    await expect(client.refreshTokenGrant(mail.config, mail.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await client.refreshTokenGrant(calendar.config, calendar.tokens.refresh_token!)).access_token).toBeTruthy();
    const after = (await api.me.apps.list()).body as { items: Array<{ client_id: string }> };
    expect(after.items.map((app) => app.client_id)).not.toContain(mail.client.client_id);
    expect(await server.db.knex('audit_events').where({ type: 'grant.revoked', subject_id: userId, client_id: mail.client.client_id }).first()).toMatchObject({
      actor_type: 'user',
      actor_id: userId,
      data: { reason: 'revoked_by_user' },
    });
  });

  it("404 for an app you never connected (another person's included, which keeps working); 400 for a malformed id", async () => {
    const alice = await server.createUser();
    const bob = await signInWithTokens(server);
    const api = apiClient(server, (await userToken(server, ['account'], { userId: alice })).token);
    const answer = await api.me.apps.revoke({ params: { client_id: bob.client.client_id } });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ code: 'not_found' });
    expect((await client.refreshTokenGrant(bob.config, bob.tokens.refresh_token!)).access_token).toBeTruthy();
    expect((await api.me.apps.revoke({ params: { client_id: 'has space' } })).status).toBe(400);
  });

  it('401 without a token, 403 without the account scope', async () => {
    expect((await apiClient(server).me.apps.list()).status).toBe(401);
    const wrong = await clientApi(server, ['grants:read']);
    expect((await wrong.me.apps.list()).status).toBe(403);
    expect((await wrong.me.apps.revoke({ params: { client_id: 'abc' } })).status).toBe(403);
  });
});
