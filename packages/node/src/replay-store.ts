/**
 * Where seen DPoP proof `jti`s are remembered until their proof would be too
 * old anyway. The in-memory store serves one process; several instances of
 * an API behind a load balancer need a shared one (e.g. Redis `SET key 1 NX
 * PXAT expiresAt`), which is all this interface asks for.
 */
export interface ReplayStore {
  /** Records `key` until `expiresAt` (ms since the epoch); false when it was already there (a replay). */
  add(key: string, expiresAt: number): boolean | Promise<boolean>;
}

/**
 * In-memory replay store: a Map in insertion order, expired entries dropped
 * as new ones come. At most `max` live entries: beyond that a new proof is
 * refused rather than an older one forgotten, since a forgotten proof could
 * be replayed (an attacker with a token of their own could flood the store
 * to push a victim's proof out). Size `max` for the proofs of one `maxAge`.
 */
export function memoryReplayStore(options: { max?: number; now?: () => number } = {}): ReplayStore {
  const max = options.max ?? 100_000;
  const now = options.now ?? Date.now;
  const seen = new Map<string, number>();
  return {
    add(key, expiresAt) {
      const t = now();
      for (const [oldKey, oldExpiry] of seen) {
        if (oldExpiry > t) break;
        seen.delete(oldKey);
      }
      const existing = seen.get(key);
      if (existing !== undefined && existing > t) return false;
      seen.delete(key);
      // Full of proofs that could still be replayed: refuse this one (fail closed) instead of evicting one of them.
      if (seen.size >= max) return false;
      seen.set(key, expiresAt);
      return true;
    },
  };
}
