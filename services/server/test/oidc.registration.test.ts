import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

describe('dynamic client registration (RFC 7591), on only when configured', () => {
  let server: TestServer;
  const token = randomBytes(32).toString('base64url');
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_REGISTRATION_TOKEN: token } });
  });
  afterAll(() => server?.stop());

  const register = (body: Record<string, unknown>, bearer?: string) =>
    fetch(`${server.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });

  it('needs the initial access token', async () => {
    const response = await register({ redirect_uris: ['https://rp.example.com/cb'] });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
    expect((await register({ redirect_uris: ['https://rp.example.com/cb'] }, 'wrong')).status).toBe(401);
  });

  it('registers a client whose secret works and is stored only hashed', async () => {
    const response = await register({ client_name: 'Registered', redirect_uris: ['https://rp.example.com/cb'], grant_types: ['authorization_code', 'client_credentials'] }, token);
    expect(response.status).toBe(201);
    const registered = (await response.json()) as { client_id: string; client_secret: string };
    const row = await server.db.knex('clients').where({ id: registered.client_id }).first();
    expect(row.name).toBe('Registered');
    expect(JSON.stringify(row)).not.toContain(registered.client_secret);
    const config = await client.discovery(new URL(server.issuer), registered.client_id, { client_secret: registered.client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    expect((await client.clientCredentialsGrant(config)).access_token).toBeTypeOf('string');
  });

  it.each([
    [{ redirect_uris: ['http://rp.example.com/cb'] }, /https/],
    [{ redirect_uris: ['https://rp.example.com/cb#x'] }, /fragment/],
    [{ redirect_uris: ['https://rp.example.com/cb'], first_party: true }, /first_party/],
  ])('refuses %j', async (metadata, message) => {
    const response = await register(metadata, token);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; error_description: string };
    expect(body.error).toMatch(/invalid_(redirect_uri|client_metadata)/);
    expect(body.error_description).toMatch(message);
  });
});

describe('dynamic client registration when not configured', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('has no registration endpoint', async () => {
    const response = await fetch(`${server.issuer}/reg`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(404);
  });
});
