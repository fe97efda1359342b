import { fromB64u, utf8 } from './encoding.ts';
import { LatchkeyError } from './errors.ts';

/** The ID token's claims: who signed in (`sub`) and what the granted scopes reveal (`email`, `name`, …). */
export type Claims = {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  azp?: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  [claim: string]: unknown;
};

/** A JWKS fetcher: `refresh` asks for a fresh copy (a key rotated since the last fetch). */
export type KeySource = (refresh: boolean) => Promise<JsonWebKey[]>;

type Verifier = { importAs: RsaHashedImportParams | EcKeyImportParams | Algorithm; verifyAs: AlgorithmIdentifier | RsaPssParams | EcdsaParams };

const SHA256 = 'SHA-256';
// Only the asymmetric algorithms Latchkey signs with; never `none` or HMAC.
const ALGS: Record<string, Verifier> = {
  RS256: { importAs: { name: 'RSASSA-PKCS1-v1_5', hash: SHA256 }, verifyAs: 'RSASSA-PKCS1-v1_5' },
  PS256: { importAs: { name: 'RSA-PSS', hash: SHA256 }, verifyAs: { name: 'RSA-PSS', saltLength: 32 } },
  ES256: { importAs: { name: 'ECDSA', namedCurve: 'P-256' }, verifyAs: { name: 'ECDSA', hash: SHA256 } },
  EdDSA: { importAs: { name: 'Ed25519' }, verifyAs: 'Ed25519' },
};

const invalid = (why: string) => new LatchkeyError('id_token_invalid', `ID token ${why}`);

export function decodeJwt(token: string): { header: { alg?: string; kid?: string }; claims: Claims } {
  const [header, payload] = token.split('.');
  try {
    return { header: JSON.parse(new TextDecoder().decode(fromB64u(header!))), claims: JSON.parse(new TextDecoder().decode(fromB64u(payload!))) };
  } catch {
    throw invalid('is malformed');
  }
}

async function checkSignature(token: string, alg: string | undefined, kid: string | undefined, keys: KeySource): Promise<void> {
  const verifier = alg ? ALGS[alg] : undefined;
  if (!verifier) throw invalid(`uses an unsupported algorithm (${alg})`);
  const pick = (set: JsonWebKey[]) => set.find((k) => (k as { kid?: string }).kid === kid && (!k.alg || k.alg === alg));
  // An unknown kid means the issuer rotated its keys since we fetched them: fetch once more.
  const jwk = pick(await keys(false)) ?? pick(await keys(true));
  if (!jwk) throw invalid('is signed with an unknown key');
  const parts = token.split('.');
  let valid = false;
  try {
    const key = await crypto.subtle.importKey('jwk', jwk, verifier.importAs, false, ['verify']);
    valid = await crypto.subtle.verify(verifier.verifyAs, key, fromB64u(parts[2]!), utf8(`${parts[0]}.${parts[1]}`));
  } catch {
    // A key that does not fit the algorithm fails like a bad signature.
  }
  if (!valid) throw invalid('signature does not verify');
}

/**
 * OpenID Connect Core §3.1.3.7: the signature against the issuer's JWKS,
 * then `iss`, `aud` (and `azp` when there are several audiences), `exp`,
 * `iat` and the `nonce` this sign-in sent. A refreshed ID token must name
 * the same `sub`.
 */
export async function validateIdToken(
  token: string,
  expected: { issuer: string; clientId: string; keys: KeySource; nonce?: string; sub?: string; now?: number; skew?: number },
): Promise<Claims> {
  const { header, claims } = decodeJwt(token);
  await checkSignature(token, header.alg, header.kid, expected.keys);
  const now = expected.now ?? Math.floor(Date.now() / 1000);
  const skew = expected.skew ?? 60;
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== expected.issuer) throw invalid(`is from another issuer (${claims.iss})`);
  if (!aud.includes(expected.clientId)) throw invalid('is for another client');
  if ((aud.length > 1 || claims.azp !== undefined) && claims.azp !== expected.clientId) throw invalid('was issued to another party (azp)');
  if (typeof claims.exp !== 'number' || claims.exp + skew <= now) throw invalid('has expired');
  if (typeof claims.iat !== 'number' || claims.iat - skew > now) throw invalid('is issued in the future');
  if (expected.nonce !== undefined && claims.nonce !== expected.nonce) throw invalid('nonce does not match this sign-in');
  if (typeof claims.sub !== 'string' || (expected.sub !== undefined && claims.sub !== expected.sub)) throw invalid('names another user');
  return claims;
}
