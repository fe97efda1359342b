import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationUrl, type TestClient } from './support/session-flow.ts';
import { rawRequest, urlsIn } from './support/raw-http.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * The Host header decides nothing: every URL the server emits comes from
 * LATCHKEY_ISSUER, whatever Host, absolute-form target or X-Forwarded-*
 * header a request carries, and a request for another host is refused.
 */
const port = (server: TestServer) => Number(new URL(server.issuer).port);

const cookiesOf = (headers: Record<string, string | string[] | undefined>) =>
  [headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]!).join('; ');

// Path and query only: these tests choose where (and with which Host) to send it.
const authorizationPath = (client: TestClient) => {
  const url = authorizationUrl('http://unused.invalid', client);
  return `${url.pathname}${url.search}`;
};

/** Every form action and formaction of a page. */
const actionsOf = (page: string) => [...page.matchAll(/\b(?:form)?action="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&#38;', '&'));

describe('Host header, no proxy trusted', () => {
  let server: TestServer;
  // Same host name as the issuer, another port: passes the host check, so
  // only building URLs from the issuer keeps this port out of them.
  let elsewhere: string;
  beforeAll(async () => {
    server = await startTestServer();
    elsewhere = 'localhost:1';
  });
  afterAll(() => server?.stop());

  const get = (path: string, headers: Record<string, string>) => rawRequest({ port: port(server), path, headers });

  it('discovery and jwks_uri come from the issuer, whatever Host, target or forwarded headers say', async () => {
    const requests: Array<{ path: string; headers: Record<string, string> }> = [
      { path: '/.well-known/openid-configuration', headers: { host: elsewhere } },
      { path: `http://${elsewhere}/.well-known/openid-configuration`, headers: { host: new URL(server.issuer).host } },
      { path: '/.well-known/openid-configuration', headers: { host: new URL(server.issuer).host, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } },
    ];
    for (const request of requests) {
      const response = await get(request.path, request.headers);
      expect(response.status, JSON.stringify(request)).toBe(200);
      const metadata = JSON.parse(response.body) as Record<string, unknown>;
      expect(metadata.jwks_uri).toBe(`${server.issuer}/jwks`);
      const urls = urlsIn(metadata);
      expect(urls.length).toBeGreaterThan(5);
      for (const url of urls) expect(url.startsWith(`${server.issuer}/`) || url === server.issuer, `${url} via ${JSON.stringify(request)}`).toBe(true);
    }
  });

  it('the device authorization response points at the issuer', async () => {
    const { client_id } = await server.createClient({ public: true });
    const response = await rawRequest({
      port: port(server),
      path: '/device/auth',
      method: 'POST',
      headers: { host: elsewhere, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id, scope: 'openid' }).toString(),
    });
    expect(response.status).toBe(200);
    const device = JSON.parse(response.body) as { verification_uri: string; verification_uri_complete: string };
    expect(device.verification_uri).toBe(`${server.issuer}/device`);
    expect(device.verification_uri_complete.startsWith(`${server.issuer}/device?`)).toBe(true);
  });

  it('sign-in redirects and form actions lead to the issuer', async () => {
    const client = await server.createClient();
    const userId = await server.createUser();
    const start = await get(authorizationPath(client), { host: elsewhere });
    expect(start.status).toBe(303);
    const interaction = new URL(String(start.headers.location), server.issuer);
    expect(interaction.origin).toBe(server.issuer);
    const cookie = cookiesOf(start.headers);

    const page = await get(interaction.pathname, { host: elsewhere, cookie });
    expect(page.status).toBe(200);
    const actions = actionsOf(page.body);
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect(new URL(action, server.issuer).origin).toBe(server.issuer);

    // Finishing the interaction sends the browser back to the issuer's resume URL.
    const uid = interaction.pathname.split('/').pop()!;
    const finished = await rawRequest({
      port: port(server),
      path: `/__test/interaction/${uid}`,
      method: 'POST',
      headers: { host: elsewhere, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ account: userId }).toString(),
    });
    expect(finished.status).toBe(303);
    expect(String(finished.headers.location)).toBe(`${server.issuer}/auth/${uid}`);

    // The device page's form (rendered by oidc-provider's flow) posts to the issuer.
    const device = await get('/device', { host: elsewhere });
    expect(device.status).toBe(200);
    const deviceActions = actionsOf(device.body);
    expect(deviceActions.length).toBeGreaterThan(0);
    for (const action of deviceActions) expect(action).toBe(`${server.issuer}/device`);
  });

  it('answers 421 to a request for another host, and ignores X-Forwarded-Host from an untrusted peer', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks', '/device', `/interaction/${randomBytes(8).toString('hex')}`, '/dev/mailbox']) {
      const response = await get(path, { host: 'evil.example' });
      expect(response.status, path).toBe(421);
      expect(response.body).toContain('answers only for localhost');
      expect(response.body).not.toMatch(/\bat .*\.ts:\d+/);
    }
    const absolute = await get('http://evil.example/jwks', { host: new URL(server.issuer).host });
    expect(absolute.status).toBe(421);
    const forwarded = await get('/jwks', { host: new URL(server.issuer).host, 'x-forwarded-host': 'evil.example' });
    expect(forwarded.status).toBe(200);
  });

  it('answers 400 to a malformed Host', async () => {
    for (const host of ['bad host', 'user@localhost', `localhost:99999`, '[::1', 'localhost/evil', 'localhost:12ab']) {
      const response = await get('/.well-known/openid-configuration', { host });
      expect(response.status, host).toBe(400);
    }
  });

  it('keeps health checks reachable under any Host (orchestrators probe by pod IP)', async () => {
    for (const host of ['10.1.2.3:3000', 'evil.example', '[fd00::7]:3000']) {
      expect((await get('/healthz', { host })).status, host).toBe(200);
      expect((await get('/readyz', { host })).status, host).toBe(200);
    }
  });
});

describe('Host header behind a trusted proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => server?.stop());

  const get = (headers: Record<string, string>) =>
    rawRequest({ port: port(server), path: '/.well-known/openid-configuration', headers: { host: new URL(server.issuer).host, ...headers } });

  it('builds URLs from the issuer, not from X-Forwarded-Host or X-Forwarded-Proto', async () => {
    const response = await get({ 'x-forwarded-host': 'localhost:1', 'x-forwarded-proto': 'https' });
    expect(response.status).toBe(200);
    for (const url of urlsIn(JSON.parse(response.body))) expect(url.startsWith(server.issuer), url).toBe(true);
  });

  it('answers 421 when the proxy forwards a request for another host', async () => {
    expect((await get({ 'x-forwarded-host': 'evil.example' })).status).toBe(421);
    expect((await get({ 'x-forwarded-host': 'localhost, evil.example' })).status).toBe(421);
    expect((await get({ 'x-forwarded-host': 'bad host' })).status).toBe(400);
  });
});
