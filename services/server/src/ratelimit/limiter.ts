import { createHash } from 'node:crypto';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Store } from '../store/index.ts';
import { accountBucket, ipBucket } from './keys.ts';
import { backoffSeconds, DEFAULT_POLICIES, type FailurePolicy, type LimitName, type Policies, type Policy, type Window } from './policies.ts';

export type LimitResult = { allowed: boolean; retryAfterSeconds: number };

/** Who is trying: the client IP (req.ip, never a header read by hand) and, when there is one, the account typed. */
export type LimitSubject = { ip: string | undefined; account?: string };

/**
 * Named rate limits on the shared store (Redis across replicas, in-process
 * when embedded). See policies.ts for what each kind of limit does.
 */
export interface Limiter {
  /** `requests` limits: counts this request; refused when the IP or account is over its window. */
  consume(name: LimitName, subject: LimitSubject): Promise<LimitResult>;
  /** `failures` limits: may an attempt go ahead now? Counts nothing. */
  check(name: LimitName, subject: LimitSubject): Promise<LimitResult>;
  /** `failures` limits: counts a wrong answer; the result says whether (and when) the next try may go. */
  fail(name: LimitName, subject: LimitSubject): Promise<LimitResult>;
  /** `failures` limits: a right answer clears the (account, IP) pair's consecutive failures. */
  succeed(name: LimitName, subject: LimitSubject): Promise<void>;
  /**
   * `failures` limits: one attempt at a time per (account, IP) pair (or IP),
   * so parallel guesses cannot all pass check() before fail() counts them.
   * Returns the release function, or undefined while another attempt is in flight.
   */
  acquire(name: LimitName, subject: LimitSubject): Promise<(() => Promise<void>) | undefined>;
}

/** An attempt that never releases (a crashed replica) frees its claim after this long. */
const IN_FLIGHT_SECONDS = 30;

export type LimiterOptions = {
  store: Store;
  /** Separates deployments sharing one Redis (the issuer); replicas of one deployment share it. */
  namespace: string;
  /** Keyed hash for account keys (the keyring's HMAC). */
  hashAccount?: (value: string) => string;
  /** Replaces some limits (tests shrink them). */
  policies?: Partial<Policies>;
};

type Bucket = Pick<RateLimiterAbstract, 'consume' | 'penalty' | 'get' | 'block' | 'delete'>;

const OPEN: LimitResult = { allowed: true, retryAfterSeconds: 0 };
const refused = (ms: number): LimitResult => ({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) });

/**
 * A Redis bucket falls back to an in-process one when Redis fails: limits
 * then hold per replica instead of failing open (or locking everyone out).
 */
function insured(primary: Bucket, fallback: Bucket): Bucket {
  const call = async <T>(run: (bucket: Bucket) => Promise<T>): Promise<T> => {
    try {
      return await run(primary);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw error;
      return run(fallback);
    }
  };
  return {
    consume: (key, points, options) => call((b) => b.consume(key, points, options)),
    penalty: (key, points, options) => call((b) => b.penalty(key, points, options)),
    get: (key, options) => call((b) => b.get(key, options)),
    block: (key, seconds, options) => call((b) => b.block(key, seconds, options)),
    delete: (key, options) => call((b) => b.delete(key, options)),
  };
}

export function createLimiter(options: LimiterOptions): Limiter {
  const policies: Policies = { ...DEFAULT_POLICIES, ...options.policies };
  const ns = createHash('sha256').update(options.namespace).digest('hex').slice(0, 8);
  const redis = options.store.redis;

  const bucket = (prefix: string, window: Window): Bucket => {
    const opts: IRateLimiterOptions = { keyPrefix: `ratelimit:${ns}:${prefix}`, points: window.points, duration: window.seconds };
    const memory = new RateLimiterMemory(opts);
    return redis ? insured(new RateLimiterRedis({ ...opts, storeClient: redis }), memory) : memory;
  };

  type Buckets = { ip: Bucket; account?: Bucket; pairFailures?: Bucket; pairDelay?: Bucket };
  const buckets = new Map<LimitName, Buckets>();
  const bucketsFor = (name: LimitName): Buckets => {
    let found = buckets.get(name);
    if (!found) {
      const policy: Policy = policies[name];
      found = { ip: bucket(`${name}:ip`, policy.perIp) };
      if (policy.counts === 'requests' && policy.perAccount) found.account = bucket(`${name}:account`, policy.perAccount);
      if (policy.counts === 'failures' && policy.perAccount) {
        const per = policy.perAccount;
        found.account = bucket(`${name}:account`, per.underAttack);
        found.pairFailures = bucket(`${name}:pair`, { points: Number.MAX_SAFE_INTEGER, seconds: per.memorySeconds });
        // One point: a blocked key (points + 1) is "wait"; block() sets how long.
        found.pairDelay = bucket(`${name}:delay`, { points: 1, seconds: 1 });
      }
      buckets.set(name, found);
    }
    return found;
  };

  const keys = (subject: LimitSubject) => {
    const ip = ipBucket(subject.ip);
    const account = subject.account === undefined ? undefined : accountBucket(subject.account, options.hashAccount);
    return { ip, account, pair: account === undefined ? undefined : `${account}:${ip}` };
  };

  const failurePolicy = (name: LimitName): FailurePolicy => {
    const policy = policies[name];
    if (policy.counts !== 'failures') throw new Error(`limit ${name} counts requests: use consume()`);
    return policy;
  };

  // Over when the window's points are used up (a failure window refuses the next try once full).
  const over = (res: RateLimiterRes | null, points: number) => res !== null && res.consumedPoints >= points && res.msBeforeNext > 0;

  return {
    async consume(name, subject) {
      const policy = policies[name];
      if (policy.counts !== 'requests') throw new Error(`limit ${name} counts failures: use check()/fail()`);
      const b = bucketsFor(name);
      const k = keys(subject);
      const attempts = [b.ip.consume(k.ip)];
      if (b.account && k.account !== undefined) attempts.push(b.account.consume(k.account));
      const results = await Promise.allSettled(attempts);
      let wait = 0;
      for (const result of results) {
        if (result.status === 'fulfilled') continue;
        if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
        wait = Math.max(wait, result.reason.msBeforeNext);
      }
      return wait > 0 ? refused(wait) : OPEN;
    },

    async check(name, subject) {
      const policy = failurePolicy(name);
      const b = bucketsFor(name);
      const k = keys(subject);
      const [ip, delay] = await Promise.all([
        b.ip.get(k.ip),
        b.pairDelay && k.pair !== undefined ? b.pairDelay.get(k.pair) : Promise.resolve(null),
      ]);
      let wait = 0;
      if (over(ip, policy.perIp.points)) wait = ip!.msBeforeNext;
      if (delay !== null && delay.consumedPoints > 1 && delay.msBeforeNext > 0) wait = Math.max(wait, delay.msBeforeNext);
      return wait > 0 ? refused(wait) : OPEN;
    },

    async fail(name, subject) {
      const policy = failurePolicy(name);
      const b = bucketsFor(name);
      const k = keys(subject);
      const ip = await b.ip.penalty(k.ip);
      let wait = over(ip, policy.perIp.points) ? ip.msBeforeNext : 0;
      const per = policy.perAccount;
      if (per && b.account && b.pairFailures && b.pairDelay && k.account !== undefined && k.pair !== undefined) {
        const [account, pair] = await Promise.all([b.account.penalty(k.account), b.pairFailures.penalty(k.pair)]);
        const underAttack = account.consumedPoints >= per.underAttack.points;
        const seconds = backoffSeconds(pair.consumedPoints, underAttack ? per.underAttackBackoff : per.backoff);
        if (seconds > 0) {
          await b.pairDelay.block(k.pair, seconds);
          wait = Math.max(wait, seconds * 1000);
        }
      }
      return wait > 0 ? refused(wait) : OPEN;
    },

    async succeed(name, subject) {
      failurePolicy(name);
      const b = bucketsFor(name);
      const k = keys(subject);
      if (k.pair === undefined) return;
      await Promise.all([b.pairFailures?.delete(k.pair), b.pairDelay?.delete(k.pair)]);
    },

    async acquire(name, subject) {
      failurePolicy(name);
      const k = keys(subject);
      const key = `ratelimit:${ns}:${name}:inflight:${k.pair ?? k.ip}`;
      let claimed: boolean;
      try {
        claimed = await options.store.setIfAbsent(key, '1', IN_FLIGHT_SECONDS);
      } catch {
        // The store is down: the counting limits still hold (in-process fallback).
        return async () => {};
      }
      if (!claimed) return undefined;
      return async () => {
        await options.store.del(key).catch(() => {});
      };
    },
  };
}
