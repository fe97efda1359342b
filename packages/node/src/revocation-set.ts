import type { Revocation } from './signal-events.ts';

/** The claims a revocation is checked against (from a verified JWT or an introspection answer). */
export type RevocableClaims = { sub?: unknown; sid?: unknown; gid?: unknown; iat?: unknown };

export type RevocationSetOptions = {
  /**
   * Seconds an entry is kept (default 86 400, Latchkey's longest API token
   * lifetime): after that every token it could refuse has expired anyway.
   * Set it to your API's token lifetime to keep less.
   */
  maxTokenLifetime?: number;
  /** Entries kept at most (default 100 000); when full the oldest goes first. */
  max?: number;
  now?: () => number;
};

type SubjectEntry = { at: number; enabledAt: number | undefined; until: number };

/**
 * Sessions, grants and subjects whose tokens are refused, in memory. Every
 * entry expires `maxTokenLifetime` after its event, and the whole set holds
 * at most `max` entries: a flood of events cannot grow it without bound.
 */
export class RevocationSet {
  readonly #lifetimeMs: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #sessions = new Map<string, number>();
  readonly #grants = new Map<string, number>();
  readonly #subjects = new Map<string, SubjectEntry>();

  constructor(options: RevocationSetOptions = {}) {
    this.#lifetimeMs = (options.maxTokenLifetime ?? 86_400) * 1000;
    this.#max = options.max ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#sessions.size + this.#grants.size + this.#subjects.size;
  }

  apply(revocation: Revocation): void {
    const until = this.#now() + this.#lifetimeMs;
    this.#sweep();
    switch (revocation.kind) {
      case 'session':
        this.#put(this.#sessions, revocation.sid, until);
        return;
      case 'grant':
        this.#put(this.#grants, revocation.gid, until);
        return;
      case 'subject': {
        const old = this.#subjects.get(revocation.sub);
        // Events may come out of order: the latest disable wins, a later enable stays.
        this.#put(this.#subjects, revocation.sub, { at: Math.max(revocation.at, old?.at ?? -Infinity), enabledAt: old?.enabledAt, until });
        return;
      }
      case 'subject-enabled': {
        const old = this.#subjects.get(revocation.sub);
        // Nothing was refused: nothing to lift. Tokens from before the disable stay refused either way.
        if (old) old.enabledAt = Math.max(revocation.at, old.enabledAt ?? -Infinity);
        return;
      }
    }
  }

  /** Why a token with these claims is refused, or undefined when nothing here refuses it. */
  check(claims: RevocableClaims): string | undefined {
    const t = this.#now();
    if (typeof claims.sid === 'string') {
      const until = this.#sessions.get(claims.sid);
      if (until !== undefined && until > t) return 'the session this token belongs to has ended';
    }
    if (typeof claims.gid === 'string') {
      const until = this.#grants.get(claims.gid);
      if (until !== undefined && until > t) return 'the grant this token belongs to was revoked';
    }
    if (typeof claims.sub === 'string') {
      const entry = this.#subjects.get(claims.sub);
      if (entry && entry.until > t) {
        const iat = typeof claims.iat === 'number' ? claims.iat : -Infinity;
        // iat has whole seconds: a token from the event's own second is refused, unless the account was enabled again since.
        const reEnabled = entry.enabledAt !== undefined && entry.enabledAt >= entry.at;
        if (iat < entry.at || (iat <= entry.at && !reEnabled)) return 'the user\'s account or credentials changed after this token was issued';
      }
    }
    return undefined;
  }

  #put<V>(map: Map<string, V>, key: string, value: V): void {
    // Re-inserted at the end, so insertion order stays expiry order.
    map.delete(key);
    map.set(key, value);
    while (this.size > this.#max) this.#evictOldest();
  }

  #sweep(): void {
    const t = this.#now();
    for (const map of [this.#sessions, this.#grants] as Map<string, number>[]) {
      for (const [key, until] of map) {
        if (until > t) break;
        map.delete(key);
      }
    }
    for (const [key, entry] of this.#subjects) {
      if (entry.until > t) break;
      this.#subjects.delete(key);
    }
  }

  #evictOldest(): void {
    const heads = [
      [this.#sessions, this.#sessions.values().next().value],
      [this.#grants, this.#grants.values().next().value],
      [this.#subjects, this.#subjects.values().next().value?.until],
    ] as [Map<string, unknown>, number | undefined][];
    const [oldest] = heads.filter(([, until]) => until !== undefined).sort((a, b) => a[1]! - b[1]!)[0]!;
    oldest.delete(oldest.keys().next().value!);
  }
}
