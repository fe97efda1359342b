import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_MAX_AGE_SECONDS } from '../src/oidc/provider.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Clients may cache discovery and the JWKS instead of fetching them on every
 * verification, but only briefly: a rotated key must reach them before it
 * signs (the max-age is justified in src/oidc/provider.ts).
 */
describe('Cache-Control of discovery and JWKS', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('lets clients cache both for at most 30 seconds', async () => {
    expect(METADATA_MAX_AGE_SECONDS).toBeLessThanOrEqual(30);
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const response = await fetch(`${server.issuer}${path}`);
      expect(response.status, path).toBe(200);
      const cacheControl = response.headers.get('cache-control') ?? '';
      expect(cacheControl, path).toMatch(/\bpublic\b/);
      const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)?.[1]);
      expect(maxAge, path).toBeGreaterThan(0);
      expect(maxAge, path).toBeLessThanOrEqual(30);
    }
  });

  it('keeps personal and error responses uncached', async () => {
    const error = await fetch(`${server.issuer}/auth?client_id=nobody`);
    expect(error.status).toBe(400);
    expect(error.headers.get('cache-control')).not.toMatch(/public|max-age=[1-9]/);
    const userinfo = await fetch(`${server.issuer}/me`);
    expect(userinfo.headers.get('cache-control') ?? '').not.toMatch(/public/);
  });
});
