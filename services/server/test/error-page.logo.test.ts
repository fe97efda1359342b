import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

/** The OIDC error page shows the operator's logo, so its CSP must admit the logo's origin. */
describe('OIDC error page with LATCHKEY_LOGO_URL', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_LOGO_URL: 'https://cdn.example.com/brand/logo.svg' } });
  });
  afterAll(() => server?.stop());

  it('allows the logo origin in img-src, and nothing more', async () => {
    const response = await fetch(`${server.issuer}/auth?client_id=nobody&response_type=code`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('https://cdn.example.com/brand/logo.svg');
    const csp = response.headers.get('content-security-policy') ?? '';
    const imgSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('img-src'));
    expect(imgSrc).toBe("img-src 'self' https://cdn.example.com");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
