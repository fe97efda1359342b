import { audiences } from './claims.ts';
import type { JwksCache } from './jwks.ts';
import { isSupportedAlgorithm, parseJws, verifySignature } from './jws.ts';
import { EventSchemaError, isKnownEvent, revocationFor, type Revocation } from './signal-events.ts';

/** RFC 8935 §2.3 error codes, answered to the transmitter (push) or sent back in `setErrs` (poll). */
export type SetErrorCode = 'invalid_request' | 'invalid_key' | 'invalid_issuer' | 'invalid_audience';

/** A SET this receiver refuses; `err` and `description` go back to the transmitter as they are. */
export class SetError extends Error {
  readonly err: SetErrorCode;

  constructor(err: SetErrorCode, description: string) {
    super(description);
    this.name = 'SetError';
    this.err = err;
  }
}

export type ValidatedSet = {
  jti: string;
  type: string;
  /** undefined for a duplicate (already applied) or an event that refuses nothing. */
  revocation: Revocation | undefined;
  duplicate: boolean;
};

export type SetValidatorOptions = {
  issuer: string;
  /** The stream's `aud`: every SET must name it. */
  audience: () => readonly string[];
  jwks: JwksCache;
  /** Seconds a seen `jti` is remembered (default one day); at most `maxSeen` of them (default 100 000). */
  seenFor?: number;
  maxSeen?: number;
  now: () => number;
};

const SECEVENT = new Set(['secevent+jwt', 'application/secevent+jwt']);

/**
 * Checks a Security Event Token (RFC 8417, SSF 1.0 §4) the way the verifier
 * checks access tokens: the issuer's key (its JWKS, same cache code), typ
 * `secevent+jwt`, iss, aud, a `jti` not applied before, exactly one known
 * event with a subject it understands.
 */
export function createSetValidator(options: SetValidatorOptions) {
  const seenMs = (options.seenFor ?? 86_400) * 1000;
  const maxSeen = options.maxSeen ?? 100_000;
  const seen = new Map<string, number>();

  function remember(jti: string): void {
    const t = options.now();
    for (const [old, until] of seen) {
      if (until > t && seen.size < maxSeen) break;
      seen.delete(old);
    }
    seen.set(jti, t + seenMs);
  }

  return async function validate(set: string): Promise<ValidatedSet> {
    const jws = parseJws(set.trim());
    if (!jws) throw new SetError('invalid_request', 'the body is not a compact JWS');
    const { header, payload } = jws;
    if (header.crit !== undefined) throw new SetError('invalid_request', 'critical header parameters are not understood');
    if (typeof header.typ !== 'string' || !SECEVENT.has(header.typ.toLowerCase())) throw new SetError('invalid_request', 'typ must be secevent+jwt');
    const alg = header.alg;
    if (!isSupportedAlgorithm(alg)) throw new SetError('invalid_key', 'unsupported signing algorithm');
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const key = options.jwks.peek(kid, alg) ?? (await options.jwks.get(kid, alg));
    if (!key) throw new SetError('invalid_key', 'signed by a key the issuer does not publish');
    if (!verifySignature(alg, key.key, jws.signingInput, jws.signature)) throw new SetError('invalid_key', 'the signature does not verify');

    if (payload.iss !== options.issuer) throw new SetError('invalid_issuer', 'iss is not the expected issuer');
    const expected = options.audience();
    if (!audiences(payload.aud).some((a) => expected.includes(a))) throw new SetError('invalid_audience', 'aud does not name this receiver');
    if (typeof payload.jti !== 'string' || payload.jti === '') throw new SetError('invalid_request', 'the SET has no jti');
    if (typeof payload.iat !== 'number') throw new SetError('invalid_request', 'the SET has no iat');
    const events = payload.events;
    if (typeof events !== 'object' || events === null || Array.isArray(events)) throw new SetError('invalid_request', 'the SET has no events');
    const types = Object.keys(events);
    if (types.length !== 1) throw new SetError('invalid_request', 'a SET must carry exactly one event');
    const type = types[0]!;
    if (!isKnownEvent(type)) throw new SetError('invalid_request', `unknown event type ${type}`);
    const event = (events as Record<string, unknown>)[type];
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new SetError('invalid_request', 'the event is not an object');

    let revocation: Revocation | undefined;
    try {
      revocation = revocationFor(type, event as Record<string, unknown>, payload.sub_id ?? (event as { subject?: unknown }).subject, options.issuer, payload.iat);
    } catch (error) {
      if (error instanceof EventSchemaError) throw new SetError('invalid_request', error.message);
      throw error;
    }
    // A SET sent again (a lost 202 or ack) is acknowledged once more but applied once.
    if (seen.has(payload.jti)) return { jti: payload.jti, type, revocation: undefined, duplicate: true };
    remember(payload.jti);
    return { jti: payload.jti, type, revocation, duplicate: false };
  };
}

export type SetValidator = ReturnType<typeof createSetValidator>;
