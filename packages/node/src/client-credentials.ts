import { createDiscovery, normalizeIssuer, type FetchLike } from './discovery.ts';
import { AuthServerError, LatchkeyError } from './errors.ts';

export type ClientCredentialsOptions = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The API the token is for (RFC 8707), e.g. https://api.example.com or `<issuer>/api`. */
  resource?: string;
  scopes?: readonly string[];
  /** Fetch a new token once this share of the lifetime has passed (default 0.8). */
  refreshAt?: number;
  fetch?: FetchLike;
  now?: () => number;
};

export type TokenSource = {
  /** A valid access token: cached, refreshed early, one token request at a time. */
  getToken(): Promise<string>;
  /** Drops the cached token (e.g. after the API answered 401). */
  invalidate(): void;
};

/**
 * A client-credentials token source for service-to-service calls. Callers
 * share one token; after `refreshAt` of its lifetime the next call fetches a
 * new one in the background (the current one is handed out meanwhile, also if
 * that refresh fails), and callers without a usable token share one request.
 */
export function clientCredentials(options: ClientCredentialsOptions): TokenSource {
  const issuer = normalizeIssuer(options.issuer);
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const refreshAt = options.refreshAt ?? 0.8;
  const discover = createDiscovery(issuer, fetchImpl);
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;
  let current: { token: string; refreshAfter: number; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function request(): Promise<string> {
    const { token_endpoint } = await discover();
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (options.resource) form.set('resource', options.resource);
    if (options.scopes?.length) form.set('scope', options.scopes.join(' '));
    const started = now();
    let response: Response;
    try {
      response = await fetchImpl(token_endpoint, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new AuthServerError(`token endpoint ${token_endpoint} could not be reached`, { cause: error });
    }
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
    if (!response.ok || typeof body.access_token !== 'string') {
      const reason = typeof body.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : `status ${response.status}`;
      // A refused grant is a configuration problem (wrong secret, scope or resource), not a passing outage.
      if (response.status === 400 || response.status === 401) throw new LatchkeyError(500, 'client_credentials_refused', `token request refused (${reason})`, { expose: false });
      throw new AuthServerError(`token request failed (${reason})`);
    }
    const lifetime = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60) * 1000;
    current = { token: body.access_token, refreshAfter: started + lifetime * refreshAt, expiresAt: started + lifetime };
    return body.access_token;
  }

  function refresh(): Promise<string> {
    inFlight ??= request().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    async getToken() {
      const t = now();
      if (current && t < current.refreshAfter) return current.token;
      if (current && t < current.expiresAt - 1000) {
        // Early refresh in the background; this caller keeps the token that is still good.
        refresh().catch(() => {});
        return current.token;
      }
      return refresh();
    },
    invalidate() {
      current = undefined;
    },
  };
}
