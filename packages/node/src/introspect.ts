import { createHash } from 'node:crypto';
import { readPresentedToken } from './authorization.ts';
import { audiences, missingScopes, splitScope } from './claims.ts';
import { createDiscovery, fetchJson, normalizeIssuer, type FetchLike } from './discovery.ts';
import { checkDPoPProof, type ProofRequest } from './dpop.ts';
import { DPoPError, InsufficientScopeError, InvalidTokenError } from './errors.ts';
import { memoryReplayStore, type ReplayStore } from './replay-store.ts';
import type { RevocationSource } from './signals.ts';

/** An RFC 7662 answer for an active token, `scope` split into an array. */
export type ActiveIntrospection = {
  active: true;
  sub?: string;
  client_id?: string;
  scope: string[];
  aud: string[];
  exp?: number;
  iat?: number;
  iss?: string;
  jti?: string;
  token_type?: string;
  cnf?: { jkt?: string };
  [claim: string]: unknown;
};

export type IntrospectionResult = ActiveIntrospection | { active: false };

export type IntrospectorOptions = {
  issuer: string;
  /** The API's introspection credentials (`latchkey resources create … --json` prints them). */
  clientId: string;
  clientSecret: string;
  /**
   * Seconds an active answer may be reused (default 0: every call asks
   * Latchkey, so a revocation or a blocked user counts on the next call).
   * Never beyond the token's own exp.
   */
  cacheMaxAge?: number;
  /** Seconds an inactive answer is reused (default 5): junk tokens do not reach Latchkey each time. */
  negativeCacheMaxAge?: number;
  /** Cached answers kept at most (default 10 000; the oldest go first). */
  cacheSize?: number;
  /**
   * Refuse tokens of sessions, grants and users Latchkey signalled as revoked
   * (`createSignalReceiver`), and drop their cached answers at once. Off by default.
   */
  signals?: RevocationSource;
  /** DPoP proofs of bound tokens: where seen `jti`s are kept (default in memory) and how old a proof may be (default 60 s). */
  dpop?: { replayStore?: ReplayStore; maxAge?: number };
  fetch?: FetchLike;
  now?: () => number;
};

export type Introspector = {
  /** Latchkey's answer for `token` (a token or an Authorization header value). */
  introspect(token: string): Promise<IntrospectionResult>;
  /** Like introspect, but an inactive token throws InvalidTokenError and missing scopes InsufficientScopeError. */
  require(token: string, options?: { scopes?: readonly string[]; request?: ProofRequest }): Promise<ActiveIntrospection>;
};

/**
 * RFC 7662 introspection with the API's own credentials. Caching trades
 * freshness for load: off by default for active answers, because a revoked
 * token, a logged-out session or a blocked user must be refused on the very
 * next call; when turned on, an answer is reused for at most cacheMaxAge
 * seconds and never past the token's exp.
 */
export function createIntrospector(options: IntrospectorOptions): Introspector {
  const issuer = normalizeIssuer(options.issuer);
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const discover = createDiscovery(issuer, fetchImpl);
  const positiveMs = (options.cacheMaxAge ?? 0) * 1000;
  const negativeMs = (options.negativeCacheMaxAge ?? 5) * 1000;
  const dpop = { replayStore: options.dpop?.replayStore ?? memoryReplayStore({ now }), maxAgeSeconds: options.dpop?.maxAge ?? 60, now };
  const cacheSize = options.cacheSize ?? 10_000;
  // Keyed by a hash: the cache does not hold the tokens themselves.
  const cache = new Map<string, { result: IntrospectionResult; until: number }>();
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;

  function remember(key: string, result: IntrospectionResult) {
    const t = now();
    let until = t + (result.active ? positiveMs : negativeMs);
    if (result.active && typeof result.exp === 'number') until = Math.min(until, result.exp * 1000);
    if (until <= t) return;
    cache.delete(key);
    cache.set(key, { result, until });
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  }

  const signals = options.signals;
  // A signalled revocation drops every cached answer it refuses, not only the next one asked for.
  signals?.onRevocation?.(() => {
    for (const [key, entry] of cache) if (entry.result.active && signals.check(entry.result)) cache.delete(key);
  });

  /** The answer for `input`, and why signals refuse it when they do (its cached answer then dropped). */
  async function answer(input: string): Promise<{ result: IntrospectionResult; revoked?: string }> {
    const { token } = readPresentedToken(input);
    const key = createHash('sha256').update(token).digest('base64url');
    const result = await lookup(token, key);
    const revoked = result.active ? signals?.check(result) : undefined;
    if (revoked) cache.delete(key);
    return { result, revoked };
  }

  async function introspect(input: string): Promise<IntrospectionResult> {
    const { result, revoked } = await answer(input);
    return revoked ? { active: false } : result;
  }

  async function lookup(token: string, key: string): Promise<IntrospectionResult> {
    const hit = cache.get(key);
    if (hit && hit.until > now()) return hit.result;
    if (hit) cache.delete(key);

    const metadata = await discover();
    const endpoint = typeof metadata.introspection_endpoint === 'string' ? metadata.introspection_endpoint : `${issuer}/token/introspection`;
    const body = await fetchJson(fetchImpl, endpoint, 'introspection', {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    let result: IntrospectionResult = { active: false };
    // An answer past its exp is inactive here too, whatever the server's clock said.
    if (body.active === true && !(typeof body.exp === 'number' && body.exp * 1000 <= now())) {
      result = { ...body, active: true, scope: splitScope(body.scope), aud: audiences(body.aud) };
    }
    remember(key, result);
    return result;
  }

  async function require(input: string, requireOptions: { scopes?: readonly string[]; request?: ProofRequest } = {}): Promise<ActiveIntrospection> {
    const { result, revoked } = await answer(input);
    if (revoked) throw new InvalidTokenError('revoked', revoked);
    if (!result.active) throw new InvalidTokenError('inactive', 'the access token is not active');
    // An active answer says nothing about who presents the token: a DPoP-bound
    // one (cnf.jkt) is only good with a proof of its key, as when verified locally.
    const { token, scheme } = readPresentedToken(input);
    const jkt = result.cnf?.jkt;
    if (typeof jkt === 'string') {
      if (scheme !== 'DPoP') throw new DPoPError('bearer_scheme', 'a DPoP-bound token must be sent with the DPoP scheme');
      if (!requireOptions.request) throw new DPoPError('proof_missing', 'a DPoP-bound token needs the request to check its proof');
      await checkDPoPProof(requireOptions.request, token, jkt, dpop);
    } else if (scheme === 'DPoP') {
      throw new DPoPError('not_bound', 'the DPoP scheme needs a DPoP-bound token');
    }
    const missing = missingScopes(result.scope, requireOptions.scopes);
    if (missing.length) throw new InsufficientScopeError([...requireOptions.scopes!], missing);
    return result;
  }

  return { introspect, require };
}
