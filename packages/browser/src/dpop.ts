import { b64u, jsonB64u, random, sha256, utf8 } from './encoding.ts';

export type DpopKey = { keys: CryptoKeyPair; jwk: JsonWebKey; jkt: string };

/**
 * A new ES256 key pair whose private half cannot be exported: script on the
 * page may sign with it, but nothing can copy it elsewhere, so tokens bound
 * to it are useless off this browser.
 */
export const generateKeyPair = (): Promise<CryptoKeyPair> =>
  crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;

/** The public JWK and its RFC 7638 thumbprint (the `dpop_jkt` / `cnf.jkt` value). */
export async function describeKey(keys: CryptoKeyPair): Promise<DpopKey> {
  const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', keys.publicKey);
  // Members in lexicographic order, no others: that is the thumbprint input.
  const jwk = { crv, kty, x, y };
  return { keys, jwk, jkt: await sha256(JSON.stringify(jwk)) };
}

/**
 * An RFC 9449 proof for one request: `htu` without query and fragment, a
 * fresh `jti`, `ath` (the access token's hash) on resource calls, and the
 * server's `nonce` when it asked for one.
 */
export async function createProof(key: DpopKey, method: string, url: string, extra: { accessToken?: string; nonce?: string } = {}): Promise<string> {
  const { origin, pathname } = new URL(url);
  const payload: Record<string, unknown> = { jti: random(16), htm: method.toUpperCase(), htu: origin + pathname, iat: Math.floor(Date.now() / 1000) };
  if (extra.accessToken) payload.ath = await sha256(extra.accessToken);
  if (extra.nonce) payload.nonce = extra.nonce;
  const input = `${jsonB64u({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk })}.${jsonB64u(payload)}`;
  // WebCrypto's ECDSA signature is r||s, the JWS encoding of ES256.
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.keys.privateKey, utf8(input));
  return `${input}.${b64u(signature)}`;
}
