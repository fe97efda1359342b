import type { Redis } from 'ioredis';

/**
 * What may be lost: caches, short-lived flow state, rate-limit buckets and
 * pub/sub. Redis when REDIS_URL is set, otherwise an in-process store that
 * serves exactly one process. Anything whose loss would reopen a hole lives in
 * Postgres instead.
 */
export interface Store {
  readonly kind: 'redis' | 'memory';
  /**
   * The command connection of a Redis store, for the one module that needs
   * Redis itself (rate limits, through rate-limiter-flexible). Everything else
   * goes through the methods below so it works on both stores.
   */
  readonly redis?: Redis;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets the key only if it is absent; true when this call set it (atomic, like SET NX). */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  del(key: string): Promise<void>;
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is live; returns an unsubscribe function. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** Throws when the store cannot be reached (readiness probe). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
