import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

describe('discovery and JWKS', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('publishes metadata an OIDC client accepts, for the configured issuer', async () => {
    const { client_id } = await server.createClient();
    const config = await client.discovery(new URL(server.issuer), client_id, undefined, undefined, { execute: [client.allowInsecureRequests] });
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(server.issuer);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']),
    );
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.pushed_authorization_request_endpoint).toBe(`${server.issuer}/request`);
    expect(metadata.dpop_signing_alg_values_supported?.length).toBeGreaterThan(0);
    expect(metadata.introspection_endpoint).toBeDefined();
    expect(metadata.revocation_endpoint).toBeDefined();
    expect(metadata.device_authorization_endpoint).toBeDefined();
    expect(metadata.end_session_endpoint).toBeDefined();
    expect(metadata.registration_endpoint).toBeUndefined();
    // Secrets are hashed at rest, so nothing may use them as an HMAC key.
    expect(metadata.token_endpoint_auth_methods_supported).not.toContain('client_secret_jwt');
    expect(metadata.id_token_signing_alg_values_supported).not.toContain('HS256');
  });

  it('serves RS256 and ES256 public keys and no private material', async () => {
    const response = await fetch(`${server.issuer}/jwks`);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const key of keys) {
      expect(key).not.toHaveProperty('d');
      expect(key).not.toHaveProperty('p');
      expect(typeof key.kid).toBe('string');
    }
  });

  it('answers health and readiness probes', async () => {
    expect((await fetch(`${server.issuer}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.issuer}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok', store: 'ok' } });
  });
});
