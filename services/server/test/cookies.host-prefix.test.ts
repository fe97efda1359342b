import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationUrl, type TestClient } from './support/session-flow.ts';
import { freePort, startTestServer, type TestServer } from './support/server.ts';

/**
 * Over https, oidc-provider's session, interaction and resume cookies are
 * `__Host-` cookies (Secure, Path=/, no Domain), so a sibling subdomain cannot
 * toss its own into a victim's browser; and an interaction is finished only
 * with its own cookie.
 *
 * The server sits behind a trusted loopback proxy that terminated TLS (the
 * proxy is played by the test: it sends X-Forwarded-Proto: https).
 */
type Cookie = { name: string; value: string; attributes: string[] };

function parseSetCookie(headers: Headers): Cookie[] {
  return headers.getSetCookie().map((header) => {
    const [pair, ...attributes] = header.split(';').map((part) => part.trim());
    const eq = pair!.indexOf('=');
    return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attributes: attributes.map((a) => a.toLowerCase()) };
  });
}

/** A browser's cookie store for one host, as far as these tests need it. */
class Browser {
  readonly cookies = new Map<string, string>();
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  async fetch(path: string, init: RequestInit = {}): Promise<{ response: Response; set: Cookie[] }> {
    const response = await fetch(new URL(path, this.base), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), 'x-forwarded-proto': 'https', cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    const set = parseSetCookie(response.headers);
    for (const cookie of set) {
      if (cookie.attributes.some((a) => a.startsWith('expires=thu, 01 jan 1970'))) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return { response, set };
  }
}

// Path and query only: these tests choose where (and with which Host) to send it.
const authorizationPath = (client: TestClient) => {
  const url = authorizationUrl('http://unused.invalid', client);
  return `${url.pathname}${url.search}`;
};

/** What a browser demands of a `__Host-` cookie (RFC 6265bis §4.1.3.2). */
function expectHostOnly(cookie: Cookie): void {
  expect(cookie.name.startsWith('__Host-'), cookie.name).toBe(true);
  expect(cookie.attributes, cookie.name).toContain('secure');
  expect(cookie.attributes, cookie.name).toContain('path=/');
  expect(cookie.attributes.some((a) => a.startsWith('domain=')), cookie.name).toBe(false);
}

describe('oidc-provider cookies over https', () => {
  let server: TestServer;
  let base: string;
  beforeAll(async () => {
    const port = await freePort();
    base = `http://localhost:${port}`;
    server = await startTestServer({ port, env: { LATCHKEY_ISSUER: `https://localhost:${port}`, LATCHKEY_TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => server?.stop());

  /** Starts an authorization request; returns the interaction uid. */
  async function start(browser: Browser, client: { client_id: string; redirect_uri: string }): Promise<{ uid: string; set: Cookie[] }> {
    const { response, set } = await browser.fetch(authorizationPath(client));
    expect(response.status).toBe(303);
    return { uid: new URL(response.headers.get('location')!, base).pathname.split('/').pop()!, set };
  }

  async function finish(browser: Browser, uid: string, accountId: string): Promise<Response> {
    const { response } = await browser.fetch(`/__test/interaction/${uid}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ account: accountId }).toString(),
    });
    return response;
  }

  it('sets the interaction, resume and session cookies as __Host- cookies, and the flow completes', async () => {
    const client = await server.createClient();
    const userId = await server.createUser();
    const browser = new Browser(base);
    const { uid, set } = await start(browser, client);
    expect(set.length).toBeGreaterThanOrEqual(4); // interaction + resume, each with its .sig
    for (const cookie of set) expectHostOnly(cookie);

    expect((await finish(browser, uid, userId)).headers.get('location')).toBe(`${server.issuer}/auth/${uid}`);
    const resumed = await browser.fetch(`/auth/${uid}`);
    expect(resumed.response.status).toBe(303);
    expect(new URL(resumed.response.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    const session = resumed.set.filter((c) => c.name.includes('session'));
    expect(session.length).toBeGreaterThanOrEqual(2);
    for (const cookie of resumed.set) expectHostOnly(cookie);
    // The resume cookie is cleared where it was set (Path=/), so it is really gone.
    expect([...browser.cookies.keys()].some((name) => name.includes('resume'))).toBe(false);
  });

  it('cookies a sibling subdomain tossed into a browser do not carry another browser’s interaction', async () => {
    const client = await server.createClient();
    const attacker = new Browser(base);
    const { uid } = await start(attacker, client);

    // A sibling subdomain can set any cookie (Domain=parent) except one named
    // __Host-: the browser refuses those unless set by this very host.
    const victim = new Browser(base);
    for (const [name, value] of attacker.cookies) victim.cookies.set(name.replace(/^__Host-/, ''), value);
    const { response } = await victim.fetch(`/interaction/${uid}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('expired or was opened in another browser');
  });

  it('an interaction uid is resumed only with its own cookie, not another interaction’s', async () => {
    const client = await server.createClient();
    const attackerId = await server.createUser();
    const victim = new Browser(base);
    const { uid: victimUid } = await start(victim, client);

    // The attacker finishes an interaction of their own, then aims its
    // (valid, signed) resume cookie at the victim's uid.
    const attacker = new Browser(base);
    const { uid: attackerUid } = await start(attacker, client);
    await finish(attacker, attackerUid, attackerId);
    const resumed = await attacker.fetch(`/auth/${victimUid}`);
    expect(resumed.response.status).toBe(400);
    expect(resumed.response.headers.get('location')).toBeNull();
    expect(resumed.response.headers.get('content-type')).toContain('text/html');

    // Nor does the victim's page open with the attacker's interaction cookie.
    const page = await attacker.fetch(`/interaction/${victimUid}`);
    expect(page.response.status).toBe(400);
  });
});
