import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientApi, personalToken, startApiTestServer } from './support/api.ts';
import type { TestServer } from './support/server.ts';

/**
 * Attack: read a secret that was "shown once" out of a cache. The answers
 * that carry a client secret, an API's introspection secret or a webhook
 * signing secret (and every other personal or admin answer, errors included)
 * must say `Cache-Control: no-store`, so neither a browser (the Swagger UI
 * at /api/docs runs in one) nor a proxy keeps them.
 */
describe('attack: API answers with secrets kept by a cache', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startApiTestServer();
  });
  afterAll(() => server?.stop());

  const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}`;

  it('every answer that shows a secret says no-store', async () => {
    const api = await clientApi(server, ['clients:read', 'clients:write', 'resources:write', 'webhooks:write']);
    const client = await api.admin.clients.create({ body: { name: unique('c'), type: 'confidential', grant_types: ['client_credentials'], scope: 'openid' } });
    expect(client.status).toBe(201);
    expect(client.headers.get('cache-control')).toBe('no-store');
    if (client.status !== 201) return;
    const rotated = await api.admin.clients.rotateSecret({ params: { client_id: client.body.client_id } });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');

    const resource = await api.admin.resources.create({ body: { identifier: `https://${unique('api')}.example.com`, scopes: ['read:x'] } });
    expect(resource.status).toBe(201);
    expect(JSON.stringify(resource.body)).toContain('introspection_client_secret');
    expect(resource.headers.get('cache-control')).toBe('no-store');

    const webhook = await api.admin.webhooks.create({ body: { url: 'https://hooks.example.com/in', event_types: ['user.created'] } });
    expect(webhook.status).toBe(201);
    expect(webhook.headers.get('cache-control')).toBe('no-store');
  });

  it('personal data and refusals are not cached either', async () => {
    const { token } = await personalToken(server, ['account']);
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    const refused = await fetch(`${server.url}/api/v1/me`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });
});
