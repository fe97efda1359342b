import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * oidc-provider fetches a private_key_jwt client's jwks_uri through our
 * outbound rule: a key set on this machine is refused unless
 * LATCHKEY_OUTBOUND_PRIVATE=allow.
 */
describe("oidc-provider's own outbound requests (jwks_uri)", () => {
  let jwksHost: Server;
  let jwksUri: string;
  let hits = 0;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', use: 'sig', alg: 'ES256' };
    jwksHost = createServer((_req, res) => {
      hits += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksHost.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://127.0.0.1:${(jwksHost.address() as AddressInfo).port}/jwks`;
  });
  afterAll(() => new Promise<void>((resolve) => jwksHost?.close(() => resolve())));

  const tokenRequest = async (server: TestServer) => {
    const { client_id } = await server.createClient({ token_endpoint_auth_method: 'private_key_jwt', metadata: { jwks_uri: jwksUri, token_endpoint_auth_signing_alg: 'ES256' } });
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(client_id)
      .setSubject(client_id)
      .setAudience(server.issuer)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('refuses a jwks_uri at 127.0.0.1 by default, without connecting to it', async () => {
    const server = await startTestServer();
    try {
      const before = hits;
      const { status, body } = await tokenRequest(server);
      expect(status).toBe(401);
      expect(body.error).toBe('invalid_client');
      expect(hits).toBe(before);
    } finally {
      await server.stop();
    }
  });

  it('fetches it with LATCHKEY_OUTBOUND_PRIVATE=allow, and the client authenticates', async () => {
    const server = await startTestServer({ env: { LATCHKEY_OUTBOUND_PRIVATE: 'allow' } });
    try {
      const before = hits;
      const { status, body } = await tokenRequest(server);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.access_token).toEqual(expect.any(String));
      expect(hits).toBe(before + 1);
    } finally {
      await server.stop();
    }
  });
});
