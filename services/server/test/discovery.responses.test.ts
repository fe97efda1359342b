import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateSigningKeys } from '../src/oidc/keys.ts';
import { rawRequest, urlsIn } from './support/raw-http.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Discovery and the JWKS are rendered by oidc-provider once per key set and
 * then answered from those bytes (src/oidc/metadata-responses.ts). Every
 * later answer must be the first one's, with what depends on the request
 * (the CORS origin) still taken from each request, the headers every
 * response carries still on it, and a new key published at once.
 */
describe('discovery and JWKS answered from their first rendering', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.issuer}${path}`, { headers });
  const PATHS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks'];
  const SAME_EVERY_TIME = ['content-type', 'cache-control', 'vary', 'etag', 'content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy'];

  it('answers the same bytes and headers as the provider did, the CORS origin from each request', async () => {
    for (const path of PATHS) {
      // The first answer comes from the provider, with an Origin; the cached ones must not keep it.
      const first = await get(path, { origin: 'https://app.example' });
      expect(first.status, path).toBe(200);
      expect(first.headers.get('access-control-allow-origin'), path).toBe('https://app.example');
      const firstBody = await first.text();
      for (const origin of [undefined, 'https://other.example']) {
        const later = await get(path, origin ? { origin } : {});
        expect(later.status, path).toBe(200);
        expect(await later.text(), path).toBe(firstBody);
        for (const name of SAME_EVERY_TIME) expect(later.headers.get(name), `${path} ${name}`).toBe(first.headers.get(name));
        expect(later.headers.get('access-control-allow-origin'), path).toBe(origin ?? '*');
        expect(later.headers.get('x-request-id'), path).toMatch(/^[0-9a-f-]{36}$/);
      }
    }
    const discovery = (await (await get('/.well-known/openid-configuration')).json()) as Record<string, string>;
    expect(discovery.issuer).toBe(server.issuer);
    expect(discovery.jwks_uri).toBe(`${server.issuer}/jwks`);
  });

  it('takes URLs from the issuer whatever Host, forwarded headers or query the first request had', async () => {
    const other = await startTestServer({ env: { LATCHKEY_TRUST_PROXY: 'loopback' } });
    try {
      const port = Number(new URL(other.issuer).port);
      const first = await rawRequest({
        port,
        path: '/.well-known/openid-configuration?x=/.well-known/openid-configuration',
        headers: { host: `LOCALHOST.:${port}`, 'x-forwarded-host': `localhost:1`, 'x-forwarded-proto': 'https' },
      });
      expect(first.status).toBe(200);
      const later = await rawRequest({ port, path: '/.well-known/openid-configuration', headers: { host: `localhost:${port}` } });
      expect(later.body).toBe(first.body);
      const urls = urlsIn(JSON.parse(later.body));
      expect(urls.length).toBeGreaterThan(5);
      for (const url of urls) expect(url === other.issuer || url.startsWith(`${other.issuer}/`), url).toBe(true);
    } finally {
      await other.stop();
    }
  });

  it('answers 304 to a matching If-None-Match, the full answer to any other', async () => {
    for (const path of PATHS) {
      const etag = (await get(path)).headers.get('etag');
      expect(etag, path).toMatch(/^"[\w-]+"$/);
      const revalidated = await get(path, { 'if-none-match': `W/"stale", ${etag}` });
      expect(revalidated.status, path).toBe(304);
      expect(await revalidated.text(), path).toBe('');
      expect(revalidated.headers.get('cache-control'), path).toMatch(/max-age=/);
      const changed = await get(path, { 'if-none-match': '"not-this-one"' });
      expect(changed.status, path).toBe(200);
      expect((await changed.text()).length, path).toBeGreaterThan(0);
    }
  });

  it('leaves other methods, spellings and hosts to the provider and the guards in front of it', async () => {
    const head = await fetch(`${server.issuer}/jwks`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const preflight = await fetch(`${server.issuer}/jwks`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
    // Another spelling is the provider's to answer (it matches paths without regard to case): the same keys.
    const spelled = await get('/JWKS');
    expect(spelled.status).toBe(200);
    expect(await spelled.text()).toBe(await (await get('/jwks')).text());
    // A cached answer is still behind the Host check.
    const misdirected = await rawRequest({ port: Number(new URL(server.issuer).port), path: '/jwks', headers: { host: 'elsewhere.example' } });
    expect(misdirected.status).toBe(421);
  });

  it('publishes a new key set: the JWKS after the next key check has it, under a new ETag', async () => {
    const before = await get('/jwks');
    const kids = ((await before.json()) as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid);
    // Straight in the database, no event: the check a JWKS answer runs first (at most every 100 ms) must find it.
    const { rotated } = await rotateSigningKeys({ db: server.db, keyring: server.keyring });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const after = await get('/jwks');
    const published = ((await after.json()) as { keys: Array<{ kid: string }> }).keys.map((key) => key.kid);
    expect(published).toEqual(expect.arrayContaining([...kids, ...rotated.map((key) => key.kid)]));
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect((await get('/jwks', { 'if-none-match': before.headers.get('etag')! })).status).toBe(200);
  });
});
