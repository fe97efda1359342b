import type { KeyObject } from 'node:crypto';
import { fetchJson, type FetchLike } from './discovery.ts';
import { AuthServerError } from './errors.ts';
import { publicKeyFromJwk } from './jws.ts';

export type CachedKey = { kid: string | undefined; alg: string | undefined; key: KeyObject };

export type JwksCacheOptions = {
  /** Where the keys are (from discovery). */
  jwksUri: () => Promise<string>;
  fetch: FetchLike;
  /** An unknown kid refetches the JWKS at most once per this many ms. */
  cooldownMs: number;
  /** After this many ms the keys are refreshed in the background (so a revoked key stops verifying). */
  maxAgeMs: number;
  now: () => number;
};

/**
 * The authorization server's public keys as KeyObjects by kid. Fetched once,
 * then again only when a token names a kid we do not know (a rotation) —
 * at most once per cooldown after each refetch, with concurrent fetches
 * sharing one request —
 * or in the background once the set is older than maxAge.
 */
export class JwksCache {
  readonly #options: JwksCacheOptions;
  #keys: CachedKey[] = [];
  #byKid = new Map<string, CachedKey>();
  #loadedAt: number | undefined;
  /** No fetch for an unknown kid before this time (the cooldown; shorter after a failure with no keys at all). */
  #nextAttemptAt = Number.NEGATIVE_INFINITY;
  #lastError: unknown;
  #inFlight: Promise<void> | undefined;

  constructor(options: JwksCacheOptions) {
    this.#options = options;
  }

  /** The cached key for kid (or the only key for alg when the token names no kid), without any I/O. */
  peek(kid: string | undefined, alg: string): CachedKey | undefined {
    if (this.#loadedAt !== undefined && this.#options.now() - this.#loadedAt > this.#options.maxAgeMs && !this.#inFlight) {
      // Stale: keep answering from what we have while one background refresh runs.
      this.#refresh().catch(() => {});
    }
    if (kid !== undefined) {
      const key = this.#byKid.get(kid);
      return key && (key.alg === undefined || key.alg === alg) ? key : undefined;
    }
    // No kid: only unambiguous when exactly one key fits the alg.
    const fitting = this.#keys.filter((k) => k.alg === undefined || k.alg === alg);
    return fitting.length === 1 ? fitting[0] : undefined;
  }

  /** Like peek, but fetches the set first when it was never fetched or the kid is new (at most once per cooldown). */
  async get(kid: string | undefined, alg: string): Promise<CachedKey | undefined> {
    const cached = this.peek(kid, alg);
    if (cached) return cached;
    if (!this.#inFlight && this.#options.now() < this.#nextAttemptAt) {
      if (this.#loadedAt === undefined) throw this.#lastError;
      return undefined;
    }
    await this.#refresh().catch((error: unknown) => {
      // With keys in hand, a failed refetch leaves the kid unknown rather than failing every request.
      if (this.#loadedAt === undefined) throw error;
    });
    return this.peek(kid, alg);
  }

  /** Fetches the set now (shared with any fetch already running). */
  #refresh(): Promise<void> {
    this.#inFlight ??= (async () => {
      try {
        const uri = await this.#options.jwksUri();
        const body = await fetchJson(this.#options.fetch, uri, 'JWKS');
        if (!Array.isArray(body.keys)) throw new AuthServerError(`JWKS: ${uri} has no keys array`);
        const keys: CachedKey[] = [];
        for (const jwk of body.keys as unknown[]) {
          if (typeof jwk !== 'object' || jwk === null) continue;
          const fields = jwk as Record<string, unknown>;
          if (fields.use !== undefined && fields.use !== 'sig') continue;
          const key = publicKeyFromJwk(fields);
          if (key) keys.push({ kid: typeof fields.kid === 'string' ? fields.kid : undefined, alg: typeof fields.alg === 'string' ? fields.alg : undefined, key });
        }
        const first = this.#loadedAt === undefined;
        this.#keys = keys;
        this.#byKid = new Map(keys.filter((k) => k.kid !== undefined).map((k) => [k.kid!, k]));
        this.#loadedAt = this.#options.now();
        // The first load starts no cooldown: a rotation just after start is still picked up by its first token.
        this.#nextAttemptAt = first ? Number.NEGATIVE_INFINITY : this.#loadedAt + this.#options.cooldownMs;
      } catch (error) {
        // A failure also holds off the next attempt: a flood of forged kids must not become a flood of fetches.
        this.#lastError = error;
        this.#nextAttemptAt = this.#options.now() + (this.#loadedAt === undefined ? Math.min(this.#options.cooldownMs, 1_000) : this.#options.cooldownMs);
        throw error;
      } finally {
        this.#inFlight = undefined;
      }
    })();
    return this.#inFlight;
  }
}
