import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

/** What a derived key is for; each purpose gets its own key so one leak cannot be replayed elsewhere. */
export type KeyPurpose = 'client-secret' | 'api-token' | 'invitation' | 'verification-code' | 'signing-key' | 'totp-seed' | 'recovery-code' | 'cookie' | 'webhook-secret' | 'api-cursor' | 'pairwise-session' | 'ssf-authorization';

const derive = (secret: string, purpose: KeyPurpose) =>
  Buffer.from(hkdfSync('sha256', secret, 'latchkey', purpose, 32));

/**
 * Keys derived from LATCHKEY_SECRETS (newest first). New material is always
 * protected with the newest secret; older ones still verify and decrypt so
 * operators can rotate the root secret without a flag day.
 */
export class Keyring {
  readonly #secrets: readonly string[];
  readonly #cache = new Map<string, Buffer>();
  // HMAC keys as KeyObjects, made once: a raw Buffer is imported again on every createHmac (a hot path:
  // every client-secret check and code lookup).
  readonly #macKeys = new Map<string, KeyObject>();

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('Keyring needs at least one secret');
    this.#secrets = secrets;
  }

  #key(index: number, purpose: KeyPurpose): Buffer {
    const id = `${index}:${purpose}`;
    let key = this.#cache.get(id);
    if (!key) {
      key = derive(this.#secrets[index]!, purpose);
      this.#cache.set(id, key);
    }
    return key;
  }

  #macKey(index: number, purpose: KeyPurpose): KeyObject {
    const id = `${index}:${purpose}`;
    let key = this.#macKeys.get(id);
    if (!key) {
      key = createSecretKey(this.#key(index, purpose));
      this.#macKeys.set(id, key);
    }
    return key;
  }

  /** Keyed hash for high-entropy secrets we generate (client secrets, tokens, codes). */
  hash(purpose: KeyPurpose, value: string): string {
    return createHmac('sha256', this.#macKey(0, purpose)).update(value).digest('base64url');
  }

  /**
   * The keyed hash of `value` under every listed secret, newest first: stored
   * hashes are looked up with all of them, so values made before a rotation
   * (invitations, mailed codes, flow ids) keep working until the old secret is dropped.
   */
  hashes(purpose: KeyPurpose, value: string): string[] {
    return this.#secrets.map((_, i) => createHmac('sha256', this.#macKey(i, purpose)).update(value).digest('base64url'));
  }

  /** Keys for callers that compute their own MACs (CSRF tokens), newest first. */
  keys(purpose: KeyPurpose): Buffer[] {
    return this.#secrets.map((_, i) => this.#key(i, purpose));
  }

  /** Constant-time check of `value` against a stored `hash`, under every secret. */
  verify(purpose: KeyPurpose, value: string, hash: string): boolean {
    const expected = Buffer.from(hash, 'base64url');
    let match = false;
    for (let i = 0; i < this.#secrets.length; i += 1) {
      const actual = createHmac('sha256', this.#macKey(i, purpose)).update(value).digest();
      if (actual.length === expected.length && timingSafeEqual(actual, expected)) match = true;
    }
    return match;
  }

  /** AES-256-GCM; output is `v1.<iv>.<tag>.<ciphertext>` (base64url parts). */
  encrypt(purpose: KeyPurpose, plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key(0, purpose), iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  decrypt(purpose: KeyPurpose, sealed: string): string {
    return this.#open(purpose, sealed).plaintext;
  }

  /**
   * `sealed` encrypted under the newest secret: undefined when it already is
   * (so re-encrypting twice changes nothing), else the new ciphertext.
   */
  reencrypt(purpose: KeyPurpose, sealed: string): string | undefined {
    const { plaintext, index } = this.#open(purpose, sealed);
    return index === 0 ? undefined : this.encrypt(purpose, plaintext);
  }

  #open(purpose: KeyPurpose, sealed: string): { plaintext: string; index: number } {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unrecognised encrypted value');
    for (let i = 0; i < this.#secrets.length; i += 1) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', this.#key(i, purpose), Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return { plaintext: Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8'), index: i };
      } catch {
        // try the next (older) secret
      }
    }
    throw new Error('Cannot decrypt: none of LATCHKEY_SECRETS matches (was the secret rotated out too early?)');
  }

  /** Secrets for signing cookies (oidc-provider's `cookies.keys`), newest first. */
  cookieKeys(): string[] {
    return this.#secrets.map((_, i) => this.#key(i, 'cookie').toString('base64url'));
  }
}
