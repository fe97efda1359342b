import { createHash, randomBytes } from 'node:crypto';
import { CookieJar } from './browser.ts';

/**
 * A browser for session tests: keeps cookies, sends its own headers (user
 * agent, X-Forwarded-For) on every hop, and can aim each hop at a chosen
 * server, so a session can be established on one replica and checked on
 * another.
 */
export class SessionBrowser {
  readonly jar = new CookieJar();
  readonly headers: Record<string, string>;

  constructor(headers: Record<string, string> = {}) {
    this.headers = headers;
  }

  async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...this.headers, ...(init.headers as Record<string, string>), cookie: this.jar.header() },
    });
    this.jar.store(response);
    return response;
  }

  /** Follows redirects from `url` until `stop` matches (that URL is returned, not fetched). */
  async follow(url: URL, stop: (url: URL) => boolean, init?: RequestInit): Promise<URL> {
    let current = url;
    let request = init;
    for (let hops = 0; hops < 15; hops += 1) {
      if (stop(current)) return current;
      const response = await this.fetch(current, request);
      const location = response.headers.get('location');
      if (!location) throw new Error(`expected a redirect from ${current.pathname}, got ${response.status}: ${(await response.text()).slice(0, 300)}`);
      await response.arrayBuffer();
      current = new URL(location, current);
      request = undefined;
    }
    throw new Error('too many redirects');
  }
}

export type TestClient = { client_id: string; redirect_uri: string };

export function authorizationUrl(base: string, client: TestClient, extra: Record<string, string> = {}): URL {
  const url = new URL('/auth', base);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: client.redirect_uri,
    response_type: 'code',
    scope: 'openid',
    state: randomBytes(6).toString('hex'),
    code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  }).toString();
  return url;
}

/**
 * Signs `accountId` in (with consent) as a browser would: the authorization
 * request and the resume that saves the session go to `authBase`; the
 * interaction is finished by the test-only route on `pagesBase` (the
 * in-process test server sharing the database). Returns the callback URL.
 */
export async function signInAt(
  browser: SessionBrowser,
  options: { authBase: string; pagesBase: string; client: TestClient; accountId: string; extra?: Record<string, string> },
): Promise<URL> {
  const isCallback = (url: URL) => url.href.startsWith(options.client.redirect_uri);
  const interaction = await browser.follow(authorizationUrl(options.authBase, options.client, options.extra), (url) => url.pathname.startsWith('/interaction/'));
  const uid = interaction.pathname.split('/').pop()!;
  const finished = await browser.fetch(new URL(`/__test/interaction/${uid}`, options.pagesBase), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ account: options.accountId }).toString(),
  });
  await finished.arrayBuffer();
  // The resume (where oidc-provider saves the session) goes to authBase.
  const resume = new URL(finished.headers.get('location')!, options.pagesBase);
  const atAuth = new URL(resume.pathname + resume.search, options.authBase);
  return browser.follow(atAuth, isCallback);
}

/** A prompt=none authorization request at `base`: the callback URL carries a code (session alive) or an error. */
export function silentSignIn(browser: SessionBrowser, base: string, client: TestClient): Promise<URL> {
  return browser.follow(authorizationUrl(base, client, { prompt: 'none' }), (url) => url.href.startsWith(client.redirect_uri));
}
