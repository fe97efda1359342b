import { DPoPError } from './errors.ts';
import { isSupportedAlgorithm, jwkThumbprint, parseJws, publicKeyFromJwk, sha256Base64url, verifySignature } from './jws.ts';
import type { ReplayStore } from './replay-store.ts';

/** The request a DPoP proof must be bound to. */
export type ProofRequest = {
  method: string;
  /** The full URL the client called (scheme, host, path; query and fragment are ignored). */
  url: string;
  /** The `DPoP` header value(s). */
  dpop: string | string[] | undefined;
};

export type DPoPCheckOptions = {
  replayStore: ReplayStore;
  /** How old (or how far in the future) a proof's `iat` may be, in seconds. */
  maxAgeSeconds: number;
  now: () => number;
};

/** RFC 9449 §4.3 htu comparison: scheme and host case-insensitive, default port dropped, no query or fragment. */
function normalizeHtu(value: string): string | undefined {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/**
 * Checks the DPoP proof presented with a token bound to `jkt` (RFC 9449 §4.3
 * and §7.1): one proof, typ dpop+jwt, an asymmetric alg, a public jwk whose
 * thumbprint is the token's cnf.jkt and whose signature holds, htm/htu of
 * this request, a fresh iat, ath of this token, and a jti never seen before.
 */
export async function checkDPoPProof(request: ProofRequest, token: string, jkt: string, options: DPoPCheckOptions): Promise<void> {
  const values = request.dpop === undefined ? [] : [request.dpop].flat();
  if (values.length === 0) throw new DPoPError('proof_missing', 'a DPoP-bound token needs a DPoP proof header');
  if (values.length > 1 || values[0]!.includes(',')) throw new DPoPError('proof_invalid', 'exactly one DPoP proof is allowed');
  const proof = parseJws(values[0]!.trim());
  if (!proof) throw new DPoPError('proof_invalid', 'the DPoP proof is not a JWT');
  const { header, payload } = proof;
  if (header.typ !== 'dpop+jwt') throw new DPoPError('proof_invalid', 'the DPoP proof must have typ dpop+jwt');
  if (!isSupportedAlgorithm(header.alg)) throw new DPoPError('proof_invalid', 'the DPoP proof uses an unsupported algorithm');
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new DPoPError('proof_invalid', 'the DPoP proof has no jwk');
  const key = publicKeyFromJwk(jwk as Record<string, unknown>);
  if (!key) throw new DPoPError('proof_invalid', 'the DPoP proof jwk is not a public key');
  if (!verifySignature(header.alg, key, proof.signingInput, proof.signature)) throw new DPoPError('proof_invalid', 'the DPoP proof signature is invalid');
  if (jwkThumbprint(jwk as Record<string, unknown>) !== jkt) throw new DPoPError('key_mismatch', 'the DPoP proof is signed by a key the token is not bound to');

  if (typeof payload.htm !== 'string' || payload.htm !== request.method.toUpperCase()) {
    throw new DPoPError('request_mismatch', 'the DPoP proof is for another HTTP method');
  }
  const htu = typeof payload.htu === 'string' ? normalizeHtu(payload.htu) : undefined;
  if (htu === undefined || htu !== normalizeHtu(request.url)) throw new DPoPError('request_mismatch', 'the DPoP proof is for another URL');
  if (typeof payload.ath !== 'string' || payload.ath !== sha256Base64url(token)) throw new DPoPError('token_mismatch', 'the DPoP proof is for another access token');
  const now = options.now();
  if (typeof payload.iat !== 'number' || Math.abs(now / 1000 - payload.iat) > options.maxAgeSeconds) {
    throw new DPoPError('stale', 'the DPoP proof is too old or from the future');
  }
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 256) throw new DPoPError('proof_invalid', 'the DPoP proof has no usable jti');
  // Keyed by the key's thumbprint too: another key's jti is another proof.
  const fresh = await options.replayStore.add(`${jkt}:${payload.jti}`, (payload.iat + options.maxAgeSeconds) * 1000 + 1000);
  if (!fresh) throw new DPoPError('proof_replayed', 'the DPoP proof was already used (or too many proofs are pending to remember one more)');
}
