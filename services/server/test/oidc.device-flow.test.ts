import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

describe('device authorization grant (RFC 8628)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  const tokenRequest = (client_id: string, device_code: string) =>
    fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code, client_id }),
    });

  it('issues device and user codes, then answers polling with authorization_pending and slow_down', async () => {
    const { client_id } = await server.createClient({ public: true });
    const config = await client.discovery(new URL(server.issuer), client_id, { token_endpoint_auth_method: 'none' }, client.None(), { execute: [client.allowInsecureRequests] });
    const device = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    expect(device.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(device.verification_uri).toBe(`${server.issuer}/device`);
    expect(device.verification_uri_complete).toContain(encodeURIComponent(device.user_code).replace('%2D', '-'));

    const first = await tokenRequest(client_id, device.device_code);
    expect(first.status).toBe(400);
    expect(await first.json()).toMatchObject({ error: 'authorization_pending' });
    // Polling again at once, faster than the interval, is told to slow down.
    const second = await tokenRequest(client_id, device.device_code);
    expect(await second.json()).toMatchObject({ error: 'slow_down' });
  });

  it('stores the user code so it can be looked up case- and dash-insensitively later', async () => {
    const { client_id } = await server.createClient({ public: true });
    const config = await client.discovery(new URL(server.issuer), client_id, { token_endpoint_auth_method: 'none' }, client.None(), { execute: [client.allowInsecureRequests] });
    const device = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    const row = await server.db.knex('device_codes').where({ client_id }).first();
    expect(row).toBeDefined();
    expect(row.user_code).toBe(device.user_code.replace('-', ''));
  });

  it('rejects an unknown device code with invalid_grant', async () => {
    const { client_id } = await server.createClient({ public: true });
    const response = await tokenRequest(client_id, 'nope');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });
});
