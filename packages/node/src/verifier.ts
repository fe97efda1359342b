import { readPresentedToken } from './authorization.ts';
import { audiences, missingScopes, splitScope, type AccessTokenClaims } from './claims.ts';
import { createDiscovery, normalizeIssuer, type FetchLike } from './discovery.ts';
import { checkDPoPProof, type ProofRequest } from './dpop.ts';
import { DPoPError, InsufficientScopeError, InvalidTokenError } from './errors.ts';
import { JwksCache } from './jwks.ts';
import { isSupportedAlgorithm, parseJws, verifySignature, type Algorithm } from './jws.ts';
import { memoryReplayStore, type ReplayStore } from './replay-store.ts';
import type { RevocationSource } from './signals.ts';

export type VerifierOptions = {
  /** Latchkey's issuer URL, e.g. https://auth.example.com. */
  issuer: string;
  /** Your API's identifier (the resource it was registered with): tokens must carry it in `aud`. */
  audience: string | string[];
  /** Accepted signing algorithms (default RS256, ES256, PS256, EdDSA). */
  algorithms?: Algorithm[];
  /** Seconds of clock skew allowed on exp/nbf (default 5). */
  clockTolerance?: number;
  /** Skip discovery and read keys from here. */
  jwksUri?: string;
  /** An unknown kid refetches the JWKS at most once per this many seconds (default 30). */
  jwksCooldown?: number;
  /** Refresh the JWKS in the background once it is this many seconds old, so revoked keys go (default 600). */
  jwksMaxAge?: number;
  /** DPoP proofs: where seen `jti`s are kept (default in memory) and how old a proof may be (default 60 s). */
  dpop?: { replayStore?: ReplayStore; maxAge?: number };
  /**
   * Refuse tokens of sessions, grants and users Latchkey signalled as revoked
   * (`createSignalReceiver`). Off by default: without it a token is good until it expires.
   */
  signals?: RevocationSource;
  /** For tests and proxies: the fetch used for discovery and the JWKS. */
  fetch?: FetchLike;
  /** The current time in ms (default Date.now). */
  now?: () => number;
};

export type VerifyOptions = {
  /** Scopes the token must all carry. */
  scopes?: readonly string[];
  /** The HTTP request, needed for DPoP-bound tokens: method, full URL and the DPoP header. */
  request?: ProofRequest;
};

export type Verifier = {
  /** Verifies a token or an `Authorization` header value; resolves to its claims or throws InvalidTokenError, InsufficientScopeError, DPoPError or AuthServerError. */
  verify(tokenOrAuthorizationHeader: string, options?: VerifyOptions): Promise<AccessTokenClaims>;
  readonly issuer: string;
  readonly audience: readonly string[];
};

const AT_JWT = new Set(['at+jwt', 'application/at+jwt']);

/**
 * Local verification of Latchkey's RFC 9068 JWT access tokens: no network
 * call per request, only a JWKS fetch when a key is new. The JWT is parsed
 * here and its signature checked with node:crypto against cached KeyObjects,
 * then every claim by hand: signature, typ at+jwt, iss, aud, exp/nbf, scopes,
 * and the DPoP binding when the token has one.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const issuer = normalizeIssuer(options.issuer);
  const audience = [options.audience].flat();
  if (audience.length === 0) throw new TypeError('createVerifier: audience is required');
  const algorithms = new Set<string>(options.algorithms ?? ['RS256', 'ES256', 'PS256', 'EdDSA']);
  const tolerance = options.clockTolerance ?? 5;
  const now = options.now ?? Date.now;
  const fetchImpl = options.fetch ?? fetch;
  const discover = createDiscovery(issuer, fetchImpl);
  const jwks = new JwksCache({
    jwksUri: options.jwksUri ? async () => options.jwksUri! : async () => (await discover()).jwks_uri,
    fetch: fetchImpl,
    cooldownMs: (options.jwksCooldown ?? 30) * 1000,
    maxAgeMs: (options.jwksMaxAge ?? 600) * 1000,
    now,
  });
  const dpop = { replayStore: options.dpop?.replayStore ?? memoryReplayStore({ now }), maxAgeSeconds: options.dpop?.maxAge ?? 60, now };

  async function verify(input: string, verifyOptions: VerifyOptions = {}): Promise<AccessTokenClaims> {
    const { token, scheme } = readPresentedToken(input);
    const jws = parseJws(token);
    if (!jws) throw new InvalidTokenError('malformed', 'the access token is not a JWT');
    const { header, payload } = jws;
    // RFC 7515 §4.1.11: we understand no extension, so a token whose signer declared one critical must not pass as if it had none.
    if (header.crit !== undefined) throw new InvalidTokenError('malformed', 'the access token names critical header parameters this API does not understand');
    const alg = header.alg;
    if (!isSupportedAlgorithm(alg) || !algorithms.has(alg)) throw new InvalidTokenError('unsupported_algorithm', 'the access token is signed with an algorithm this API does not accept');
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const cached = jwks.peek(kid, alg) ?? (await jwks.get(kid, alg));
    if (!cached) throw new InvalidTokenError('unknown_key', 'the access token is signed by a key the issuer does not publish');
    if (!verifySignature(alg, cached.key, jws.signingInput, jws.signature)) throw new InvalidTokenError('bad_signature', 'the access token signature is invalid');

    // RFC 9068 §4: only at+jwt, so an ID token or another JWT from the same keys is never taken as an access token.
    if (typeof header.typ !== 'string' || !AT_JWT.has(header.typ.toLowerCase())) throw new InvalidTokenError('wrong_type', 'the token is not an access token (typ must be at+jwt)');
    if (payload.iss !== issuer) throw new InvalidTokenError('wrong_issuer', 'the access token was issued by another issuer');
    const aud = audiences(payload.aud);
    if (!aud.some((a) => audience.includes(a))) throw new InvalidTokenError('wrong_audience', 'the access token is for another API');
    const seconds = now() / 1000;
    if (typeof payload.exp !== 'number') throw new InvalidTokenError('malformed', 'the access token has no exp');
    if (seconds >= payload.exp + tolerance) throw new InvalidTokenError('expired', 'the access token has expired');
    if (typeof payload.nbf === 'number' && seconds + tolerance < payload.nbf) throw new InvalidTokenError('not_yet_valid', 'the access token is not valid yet');
    if (typeof payload.sub !== 'string' || typeof payload.client_id !== 'string' || typeof payload.iat !== 'number') {
      throw new InvalidTokenError('malformed', 'the access token lacks sub, client_id or iat');
    }

    const revoked = options.signals?.check(payload);
    if (revoked) throw new InvalidTokenError('revoked', revoked);

    const jkt = typeof payload.cnf === 'object' && payload.cnf !== null ? (payload.cnf as { jkt?: unknown }).jkt : undefined;
    if (typeof jkt === 'string') {
      // RFC 9449 §7.2: a bound token is only good with the DPoP scheme and a proof of its key.
      if (scheme === 'Bearer') throw new DPoPError('bearer_scheme', 'a DPoP-bound token must be sent with the DPoP scheme');
      if (!verifyOptions.request) throw new DPoPError('proof_missing', 'a DPoP-bound token needs the request to check its proof');
      await checkDPoPProof(verifyOptions.request, token, jkt, dpop);
    } else if (scheme === 'DPoP') {
      throw new DPoPError('not_bound', 'the DPoP scheme needs a DPoP-bound token');
    }

    // payload is this call's own object: fill in the normalized claims in place.
    payload.aud = aud;
    payload.scope = splitScope(payload.scope);
    const claims = payload as AccessTokenClaims;
    const missing = missingScopes(claims.scope, verifyOptions.scopes);
    if (missing.length) throw new InsufficientScopeError([...verifyOptions.scopes!], missing);
    return claims;
  }

  return { verify, issuer, audience };
}
