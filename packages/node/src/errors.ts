/**
 * What a refusal means for the caller: every error carries the HTTP status a
 * resource server should answer with and the RFC 6750 / RFC 9449 error code
 * for `WWW-Authenticate`. Messages are safe to show to the client.
 */
export class LatchkeyError extends Error {
  readonly status: number;
  readonly code: string;
  /** Whether `message` may be sent to the client (false: only log it). */
  readonly expose: boolean;

  constructor(status: number, code: string, message: string, options: { cause?: unknown; expose?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = 'LatchkeyError';
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
  }
}

export type InvalidTokenReason =
  | 'missing'
  | 'malformed'
  | 'unsupported_algorithm'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_type'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'inactive'
  /** A Shared Signals event ended its session or grant, or changed its user, after it was issued. */
  | 'revoked';

/** The token is missing, malformed, forged, expired or not for this API (401 `invalid_token`). */
export class InvalidTokenError extends LatchkeyError {
  readonly reason: InvalidTokenReason;

  constructor(reason: InvalidTokenReason, message: string, options: { cause?: unknown } = {}) {
    super(401, 'invalid_token', message, options);
    this.name = 'InvalidTokenError';
    this.reason = reason;
  }
}

/** The token is good but lacks scopes the route needs (403 `insufficient_scope`). */
export class InsufficientScopeError extends LatchkeyError {
  /** Every scope the route needs (what `WWW-Authenticate: … scope=` names). */
  readonly required: string[];
  /** The ones the token did not carry. */
  readonly missing: string[];

  constructor(required: string[], missing: string[]) {
    super(403, 'insufficient_scope', `the token lacks the scope${missing.length === 1 ? '' : 's'} ${missing.join(' ')}`);
    this.name = 'InsufficientScopeError';
    this.required = required;
    this.missing = missing;
  }
}

export type DPoPReason =
  | 'proof_missing'
  | 'proof_invalid'
  | 'proof_replayed'
  | 'key_mismatch'
  | 'request_mismatch'
  | 'token_mismatch'
  | 'stale'
  | 'bearer_scheme'
  | 'not_bound';

/** A DPoP-bound token came without a valid proof of possession (401 `invalid_dpop_proof`). */
export class DPoPError extends LatchkeyError {
  readonly reason: DPoPReason;

  constructor(reason: DPoPReason, message: string, options: { cause?: unknown } = {}) {
    // RFC 9449 §7.1: a bound token sent as a Bearer token is an invalid_token, a bad proof an invalid_dpop_proof.
    super(401, reason === 'bearer_scheme' || reason === 'not_bound' ? 'invalid_token' : 'invalid_dpop_proof', message, options);
    this.name = 'DPoPError';
    this.reason = reason;
  }
}

/** Latchkey could not be reached or answered nonsense (discovery, JWKS, introspection, token endpoint): a 503, not the caller's fault. */
export class AuthServerError extends LatchkeyError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(503, 'temporarily_unavailable', message, { ...options, expose: false });
    this.name = 'AuthServerError';
  }
}
