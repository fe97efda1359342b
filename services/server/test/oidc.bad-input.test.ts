import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

describe('bad input gets a clear OAuth error, never a 500 or a stack trace', () => {
  let server: TestServer;
  let client_id: string;
  let client_secret: string;
  beforeAll(async () => {
    server = await startTestServer();
    ({ client_id, client_secret } = (await server.createClient()) as { client_id: string; client_secret: string });
  });
  afterAll(() => server?.stop());

  const basic = () => `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;
  const expectNoLeak = (body: string) => {
    expect(body).not.toMatch(/at .+\.(js|ts):\d+/);
    expect(body).not.toMatch(/node_modules|stack/i);
  };

  it('unknown client at the authorization endpoint: an error page, no redirect', async () => {
    const url = `${server.issuer}/auth?client_id=nobody&response_type=code&redirect_uri=${encodeURIComponent('https://evil.example/cb')}&scope=openid`;
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    const body = await response.text();
    expect(body).toContain('invalid_client');
    expectNoLeak(body);
  });

  it('redirect URI that is not registered exactly: an error page, no redirect to it', async () => {
    const url = `${server.issuer}/auth?client_id=${client_id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://127.0.0.1:9999/callback/extra')}`;
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('redirect_uri');
  });

  it('unknown client at the token endpoint: invalid_client', async () => {
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('nobody:secret').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('unsupported grant type and missing parameters', async () => {
    const send = (body: string) =>
      fetch(`${server.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic() }, body });
    const unsupported = await send('grant_type=password&username=a&password=b');
    expect(unsupported.status).toBe(400);
    expect(await unsupported.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const missing = await send('');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('malformed and wrongly typed bodies', async () => {
    for (const [type, body] of [
      ['application/json', '{"grant_type": '],
      ['application/x-www-form-urlencoded', '%%%'],
      ['text/plain', 'grant_type=client_credentials'],
    ] as const) {
      const response = await fetch(`${server.issuer}/token`, { method: 'POST', headers: { 'content-type': type, authorization: basic() }, body });
      expect(response.status, `${type}: ${body}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${type}: ${body}`).toBeLessThan(500);
      expectNoLeak(await response.text());
    }
  });

  it('an oversized body is refused with 413, not buffered', async () => {
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic() },
      body: `grant_type=client_credentials&scope=${'a'.repeat(2 * 1024 * 1024)}`,
    });
    expect(response.status).toBe(413);
    expectNoLeak(await response.text());
  });

  it('unknown paths are a 404 JSON error', async () => {
    const response = await fetch(`${server.issuer}/no/such/thing`);
    expect(response.status).toBe(404);
  });
});
