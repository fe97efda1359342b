import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, clientCredentialsToken, etag, startApiTestServer, type ApiClient } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * A client's back-channel logout URI through the admin API: set, changed
 * and cleared, seen by the provider at once, operator-trusted (may be
 * private), and refused with a clear 400 when it is not https (http only
 * on loopback, for development).
 */
describe('admin API: clients\' back-channel logout URI', () => {
  let server: TestServer;
  let api: ApiClient;

  beforeAll(async () => {
    server = await startApiTestServer();
    api = apiClient(server, (await clientCredentialsToken(server, ['clients:read', 'clients:write'])).token);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
  const stored = async (clientId: string) => ((await server.db.knex('clients').where({ id: clientId }).first('metadata')) as { metadata: Record<string, unknown> }).metadata;
  const providerSees = async (clientId: string) => {
    const known = await server.providers.current.Client.find(clientId);
    return { uri: known?.backchannelLogoutUri, sessionRequired: known?.backchannelLogoutSessionRequired };
  };

  it('sets it on create, changes it, changes only the sid setting, and clears it', async () => {
    const created = await api.admin.clients.create({
      body: { name: unique('rp'), type: 'confidential', redirect_uris: ['https://rp.example/cb'], backchannel_logout_uri: 'https://rp.example/logout' },
    });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
    const { client_id } = created.body;
    expect(created.body).toMatchObject({ backchannel_logout_uri: 'https://rp.example/logout', backchannel_logout_session_required: true });
    expect(await stored(client_id)).toMatchObject({ backchannel_logout_uri: 'https://rp.example/logout', operator_backchannel_logout_uri: 'https://rp.example/logout' });
    expect(await providerSees(client_id)).toEqual({ uri: 'https://rp.example/logout', sessionRequired: true });

    // A private address is fine when an operator sets it (the worker may post there).
    const changed = await api.admin.clients.update({
      params: { client_id },
      headers: { 'if-match': etag(created) },
      body: { backchannel_logout_uri: 'https://10.1.2.3:8443/bcl' },
    });
    if (changed.status !== 200) throw new Error(`update: ${changed.status} ${JSON.stringify(changed.body)}`);
    expect(changed.body).toMatchObject({ backchannel_logout_uri: 'https://10.1.2.3:8443/bcl', backchannel_logout_session_required: true });
    expect(await providerSees(client_id)).toEqual({ uri: 'https://10.1.2.3:8443/bcl', sessionRequired: true });

    const noSid = await api.admin.clients.update({ params: { client_id }, headers: { 'if-match': etag(changed) }, body: { backchannel_logout_session_required: false } });
    if (noSid.status !== 200) throw new Error(`update: ${noSid.status}`);
    expect(noSid.body).toMatchObject({ backchannel_logout_uri: 'https://10.1.2.3:8443/bcl', backchannel_logout_session_required: false });
    expect(await stored(client_id)).toMatchObject({ operator_backchannel_logout_uri: 'https://10.1.2.3:8443/bcl', backchannel_logout_session_required: false });

    const cleared = await api.admin.clients.update({ params: { client_id }, headers: { 'if-match': etag(noSid) }, body: { backchannel_logout_uri: null } });
    if (cleared.status !== 200) throw new Error(`update: ${cleared.status}`);
    expect(cleared.body).toMatchObject({ backchannel_logout_uri: null, backchannel_logout_session_required: false });
    const metadata = await stored(client_id);
    expect(metadata).not.toHaveProperty('backchannel_logout_uri');
    expect(metadata).not.toHaveProperty('operator_backchannel_logout_uri');
    expect((await providerSees(client_id)).uri).toBeUndefined();
    const got = await api.admin.clients.get({ params: { client_id } });
    expect(got.body).toMatchObject({ backchannel_logout_uri: null });

    const events = await server.db.knex('audit_events').where({ type: 'client.updated', subject_id: client_id }).orderBy('occurred_at').select('data');
    expect(events.map((e) => (e.data as { changed: string[] }).changed)).toEqual([['backchannel_logout_uri'], ['backchannel_logout_session_required'], ['backchannel_logout_uri']]);
  });

  it('http is allowed on loopback only; other schemes, fragments and credentials are a 400 naming the field, and change nothing', async () => {
    const local = await api.admin.clients.create({
      body: { name: unique('dev'), type: 'confidential', redirect_uris: ['http://localhost:4000/cb'], backchannel_logout_uri: 'http://127.0.0.1:4000/bcl' },
    });
    expect(local.status).toBe(201);
    if (local.status !== 201) return;
    const { client_id } = local.body;

    for (const uri of ['http://rp.example/logout', 'http://10.0.0.5/logout', 'ftp://rp.example/logout', 'https://rp.example/logout#x', 'https://user:pw@rp.example/logout', 'not a url']) {
      const refused = await api.admin.clients.update({ params: { client_id }, headers: { 'if-match': etag(local) }, body: { backchannel_logout_uri: uri } });
      expect(refused.status, uri).toBe(400);
      expect(refused.body, uri).toMatchObject({ code: 'validation_failed', detail: expect.stringMatching(/^backchannel_logout_uri must /) });
    }
    const onCreate = await api.admin.clients.create({ body: { name: unique('bad'), type: 'confidential', redirect_uris: ['https://rp.example/cb'], backchannel_logout_uri: 'http://rp.example/logout' } });
    expect(onCreate.status).toBe(400);
    expect(onCreate.body).toMatchObject({ code: 'validation_failed', detail: 'backchannel_logout_uri must use https (http is allowed only for localhost, 127.0.0.1 or [::1])' });

    const after = await api.admin.clients.get({ params: { client_id } });
    expect(etag(after)).toBe(etag(local));
    expect(after.body).toMatchObject({ backchannel_logout_uri: 'http://127.0.0.1:4000/bcl' });
  });
});
