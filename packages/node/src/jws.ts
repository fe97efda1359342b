import { constants, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * Compact JWS parsing and signature checks on node:crypto. jose's jwtVerify
 * goes through WebCrypto (async, a key import per call); the synchronous
 * `crypto.verify` with a cached KeyObject is what makes the verifier fast.
 */

export const SUPPORTED_ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA'] as const;
export type Algorithm = (typeof SUPPORTED_ALGORITHMS)[number];

export type JwsParts = {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `base64url(header).base64url(payload)`: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

// Tokens from one issuer share a handful of headers (alg, typ, kid): parse each once. Callers must not mutate them.
const headers = new Map<string, Record<string, unknown> | undefined>();
function headerFor(segment: string): Record<string, unknown> | undefined {
  if (headers.has(segment)) return headers.get(segment);
  const header = decodeJson(segment);
  if (segment.length <= 512) {
    if (headers.size >= 64) headers.delete(headers.keys().next().value!);
    headers.set(segment, header && Object.freeze(header));
  }
  return header;
}

/** The three parts of a compact JWS, or undefined when it is not one. */
export function parseJws(token: string): JwsParts | undefined {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) !== -1) return undefined;
  const h = token.slice(0, first);
  const p = token.slice(first + 1, second);
  const s = token.slice(second + 1);
  // Buffer's base64url decoder skips junk silently; refuse it instead.
  if (!BASE64URL.test(h) || !BASE64URL.test(p) || !BASE64URL.test(s)) return undefined;
  const header = headerFor(h);
  const payload = decodeJson(p);
  if (!header || !payload) return undefined;
  return { header, payload, signingInput: token.slice(0, second), signature: Buffer.from(s, 'base64url') };
}

export const isSupportedAlgorithm = (alg: unknown): alg is Algorithm => typeof alg === 'string' && (SUPPORTED_ALGORITHMS as readonly string[]).includes(alg);

/** Which key types can check which algorithm (a key is never used for another alg's family). */
export function keyFits(key: KeyObject, alg: Algorithm): boolean {
  const type = key.asymmetricKeyType;
  if (alg === 'RS256' || alg === 'PS256') return type === 'rsa' || (alg === 'PS256' && type === 'rsa-pss');
  if (alg === 'ES256') return type === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  return type === 'ed25519';
}

/** True when `signature` over `signingInput` verifies with `key` under `alg`. Never throws. */
export function verifySignature(alg: Algorithm, key: KeyObject, signingInput: string, signature: Buffer): boolean {
  if (!keyFits(key, alg)) return false;
  const data = Buffer.from(signingInput, 'latin1');
  try {
    switch (alg) {
      case 'RS256':
        return verify('sha256', data, key, signature);
      case 'PS256':
        return verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
      case 'ES256':
        // JWS carries r||s (IEEE P1363); OpenSSL's own DER path is measurably faster than dsaEncoding: 'ieee-p1363'.
        return signature.length === 64 && verify('sha256', data, key, p1363ToDer(signature));
      case 'EdDSA':
        return verify(null, data, key, signature);
    }
  } catch {
    return false;
  }
}

/** Writes one unsigned big-endian integer as a DER INTEGER at `at` (leading zeros dropped, a 0x00 added when the top bit is set). */
function writeDerInteger(out: Buffer, at: number, bytes: Buffer): number {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const pad = bytes[start]! & 0x80 ? 1 : 0;
  const length = pad + bytes.length - start;
  out[at] = 0x02;
  out[at + 1] = length;
  if (pad) out[at + 2] = 0;
  bytes.copy(out, at + 2 + pad, start);
  return at + 2 + length;
}

/** An ECDSA P-256 signature r||s as the DER SEQUENCE OpenSSL verifies natively (always under 128 bytes: short length form). */
function p1363ToDer(signature: Buffer): Buffer {
  const out = Buffer.allocUnsafe(72);
  let end = writeDerInteger(out, 2, signature.subarray(0, 32));
  end = writeDerInteger(out, end, signature.subarray(32));
  out[0] = 0x30;
  out[1] = end - 2;
  return out.subarray(0, end);
}

/** A public KeyObject from a JWK, or undefined for private, symmetric or unreadable keys. */
export function publicKeyFromJwk(jwk: Record<string, unknown>): KeyObject | undefined {
  if (jwk.kty === 'oct' || 'd' in jwk) return undefined;
  try {
    const key = createPublicKey({ key: jwk as never, format: 'jwk' });
    return key.type === 'public' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key. */
export function jwkThumbprint(jwk: Record<string, unknown>): string | undefined {
  const members: Record<string, string[]> = { EC: ['crv', 'kty', 'x', 'y'], RSA: ['e', 'kty', 'n'], OKP: ['crv', 'kty', 'x'] };
  const names = members[String(jwk.kty)];
  if (!names) return undefined;
  const picked: Record<string, unknown> = {};
  for (const name of names) {
    if (typeof jwk[name] !== 'string') return undefined;
    picked[name] = jwk[name];
  }
  // Members in lexicographic order, no whitespace: JSON.stringify of this object is exactly that.
  return createHash('sha256').update(JSON.stringify(picked)).digest('base64url');
}

export const sha256Base64url = (value: string): string => createHash('sha256').update(value).digest('base64url');
