import { importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';

type KeySet = { keys: readonly unknown[] };

/**
 * Signs SETs with the provider's current signing key: the key set
 * oidc-provider signs with (`source`, swapped when keys rotate or one is
 * revoked), so receivers verify SETs with the published JWKS.
 */
export class SetSigner {
  readonly #source: () => KeySet;
  #for: KeySet | undefined;
  #key: Promise<{ key: CryptoKey | Uint8Array; kid: string; alg: string }> | undefined;

  constructor(source: () => KeySet) {
    this.#source = source;
  }

  #signingKey() {
    const set = this.#source();
    if (!this.#key || this.#for !== set) {
      // Keys that only verify carry key_ops ['verify'] (oidc/keys.ts); RS256 first: every receiver library has it.
      const keys = set.keys as JWK[];
      const signers = keys.filter((jwk) => !jwk.key_ops || jwk.key_ops.includes('sign'));
      const jwk = signers.find((k) => k.alg === 'RS256') ?? signers[0];
      if (!jwk?.kid || !jwk.alg) throw new Error('no signing key to sign security events with');
      const { kid, alg } = jwk;
      this.#for = set;
      this.#key = importJWK(jwk, alg).then((key) => ({ key, kid, alg }));
    }
    return this.#key;
  }

  async sign(claims: Record<string, unknown>): Promise<string> {
    const { key, kid, alg } = await this.#signingKey();
    return new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'secevent+jwt' }).sign(key);
  }
}
