import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

/** RFC 8628 §3.2: the device authorization response names the polling interval our slow_down enforces. */
describe('device authorization response: interval', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('includes interval 5, and a poll sooner than that is told to slow down', async () => {
    const { client_id } = await server.createClient({ public: true });
    const config = await client.discovery(new URL(server.issuer), client_id, { token_endpoint_auth_method: 'none' }, client.None(), { execute: [client.allowInsecureRequests] });
    const device = await client.initiateDeviceAuthorization(config, { scope: 'openid' });
    expect(device.interval).toBe(5);
    expect(device.expires_in).toBeGreaterThan(0);

    const poll = () =>
      fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code, client_id }),
      }).then((r) => r.json());
    expect(await poll()).toMatchObject({ error: 'authorization_pending' });
    expect(await poll()).toMatchObject({ error: 'slow_down' });
  });
});
