import { createHash, randomBytes } from 'node:crypto';
import { CookieJar } from './browser.ts';

export type Hop = { method: string; path: string; status: number; replica: string | null };
export type LbClient = { client_id: string; client_secret: string; redirect_uri: string };
export type Tokens = { access_token: string; refresh_token?: string; id_token?: string };

/** A failure a client may retry: the request never got a real answer (reset, 502/503/504). */
export class Retryable extends Error {}

/**
 * A browser and an app signing a person in with their password through the
 * load balancer, every request recorded with the replica that answered it.
 * Retryable failures are retried (the same step, as a browser reload or an
 * HTTP client's retry would); anything else throws.
 */
export class LbUser {
  readonly jar = new CookieJar();
  readonly hops: Hop[] = [];
  retries = 0;
  /** Why each retry happened (status or error), for a failing test's message. */
  readonly retryReasons: string[] = [];
  readonly issuer: string;
  readonly client: LbClient;

  constructor(issuer: string, client: LbClient) {
    this.issuer = issuer;
    this.client = client;
  }

  async request(method: string, url: string | URL, body?: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    const target = new URL(url, this.issuer);
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(target, {
          method,
          redirect: 'manual',
          headers: { cookie: this.jar.header(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
          body: body ? new URLSearchParams(body).toString() : undefined,
          signal: AbortSignal.timeout(15_000),
        });
      } catch (error) {
        if (attempt >= 10) throw error;
        this.retries += 1;
        this.retryReasons.push(`${method} ${target.pathname}: ${String((error as Error).cause ?? error)}`);
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if ([502, 503, 504].includes(response.status) && attempt < 10) {
        this.retries += 1;
        this.retryReasons.push(`${method} ${target.pathname}: ${response.status} ${response.headers.get('x-replica') ?? ''} ${(await response.text()).slice(0, 120)}`);
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
        continue;
      }
      // A 429 with Retry-After is "try again shortly", as a person would: e.g. the
      // sign-in attempt a killed replica had in flight holds its (account, IP) pair
      // until the claim expires (ratelimit/limiter.ts IN_FLIGHT_SECONDS).
      if (response.status === 429 && attempt < 40) {
        this.retries += 1;
        this.retryReasons.push(`${method} ${target.pathname}: 429 ${response.headers.get('x-replica') ?? ''}`);
        await response.arrayBuffer();
        const seconds = Math.min(Number(response.headers.get('retry-after')) || 1, 2);
        await new Promise((r) => setTimeout(r, seconds * 1000));
        continue;
      }
      this.jar.store(response);
      this.hops.push({ method, path: target.pathname, status: response.status, replica: response.headers.get('x-replica') });
      return response;
    }
  }

  /** Authorization request → password page → consent (Allow) → callback; returns the code exchanged for tokens. */
  async signIn(email: string, password: string): Promise<Tokens> {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(8).toString('hex');
    const auth = new URL('/auth', this.issuer);
    auth.search = new URLSearchParams({
      client_id: this.client.client_id, redirect_uri: this.client.redirect_uri, response_type: 'code',
      scope: 'openid offline_access email', prompt: 'consent', state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    }).toString();
    let location = await this.redirect(await this.request('GET', auth));
    const signInPage = await this.page(location);
    location = await this.redirect(
      await this.request('POST', `${new URL(location).pathname}/password`, { csrf: csrfOf(signInPage), email, password }),
    );
    location = await this.redirect(await this.request('GET', location));
    if (!location.startsWith(this.client.redirect_uri)) {
      // The consent page: Allow.
      const consentPage = await this.page(location);
      location = await this.redirect(await this.request('POST', `${new URL(location).pathname}/consent`, { csrf: csrfOf(consentPage), decision: 'allow' }));
      location = await this.redirect(await this.request('GET', location));
    }
    const callback = new URL(location);
    if (callback.searchParams.get('state') !== state) throw new Error(`callback without our state: ${location}`);
    const code = callback.searchParams.get('code');
    if (!code) throw new Error(`no code: ${location}`);
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: this.client.redirect_uri, code_verifier: verifier });
  }

  refresh(refreshToken: string): Promise<Tokens> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  async token(body: Record<string, string>): Promise<Tokens> {
    const basic = `Basic ${Buffer.from(`${this.client.client_id}:${this.client.client_secret}`).toString('base64')}`;
    const response = await this.request('POST', '/token', body, { authorization: basic });
    const json = (await response.json()) as Tokens & { error?: string; error_description?: string };
    if (response.status !== 200) throw new Error(`token ${body.grant_type}: ${response.status} ${json.error} ${json.error_description ?? ''}`);
    return json;
  }

  async userinfo(accessToken: string): Promise<Record<string, unknown>> {
    const response = await this.request('GET', '/me', undefined, { authorization: `Bearer ${accessToken}` });
    if (response.status !== 200) throw new Error(`userinfo: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  }

  private async redirect(response: Response): Promise<string> {
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      // The page's own words (what a person would read), not its head.
      const text = (await response.text()).replace(/^[\s\S]*?<main[^>]*>/, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
      throw new Error(`expected a redirect from ${response.url ? new URL(response.url).pathname : '?'}, got ${response.status}: ${text.slice(0, 300)}`);
    }
    await response.arrayBuffer();
    return new URL(location, this.issuer).href;
  }

  private async page(url: string): Promise<string> {
    const response = await this.request('GET', url);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`expected a page at ${new URL(url).pathname}, got ${response.status}: ${text.slice(0, 300)}`);
    return text;
  }
}

export function csrfOf(page: string): string {
  const token = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error(`no CSRF field on the page: ${page.slice(0, 300)}`);
  return token;
}
