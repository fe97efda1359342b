import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Flexible from 'rate-limiter-flexible';
import type { IRateLimiterOptions, RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Store } from '../store/index.ts';
import { backgroundCounter } from './background.ts';
import { accountBucket, ipBucket } from './keys.ts';
import { backoffSeconds, DEFAULT_POLICIES, type LimitName, type Policies, type Window } from './policies.ts';

// The three classes used, each from its own file: the package's index also loads every other
// store it supports (Mongo, MySQL, DynamoDB, …), ~30 modules a start does not need.
const require = createRequire(import.meta.url);
const RateLimiterMemory = require('rate-limiter-flexible/lib/RateLimiterMemory.js') as typeof Flexible.RateLimiterMemory;
const RateLimiterRedis = require('rate-limiter-flexible/lib/RateLimiterRedis.js') as typeof Flexible.RateLimiterRedis;
const RateLimiterRes = require('rate-limiter-flexible/lib/RateLimiterRes.js') as typeof Flexible.RateLimiterRes;
type RateLimiterRes = Flexible.RateLimiterRes;

export type LimitResult = { allowed: boolean; retryAfterSeconds: number };

/** Who is trying: the client IP (req.ip, never a header read by hand) and, when there is one, the account typed. */
export type LimitSubject = { ip: string | undefined; account?: string };

/**
 * A reserved attempt under a `failures` limit: it counts as a failure from
 * the moment it is reserved, so parallel attempts cannot all slip under the
 * limit. Settle it exactly once; later calls do nothing.
 */
export type Attempt = {
  /** A right answer: the reservation is refunded and the (account, IP) pair's failures are forgotten. */
  succeed(): Promise<void>;
  /** A wrong answer: the reservation stays; the result says whether (and when) the next try may go. */
  fail(): Promise<LimitResult>;
  /** Nothing was evaluated (bad form, error): the reservation is refunded. */
  cancel(): Promise<void>;
};

export type Reservation = ({ allowed: true; retryAfterSeconds: 0 } & Attempt) | { allowed: false; retryAfterSeconds: number };

/**
 * Named rate limits on the shared store (Redis across replicas, in-process
 * when embedded). See policies.ts for what each kind of limit does.
 */
export interface Limiter {
  /** `requests` limits: counts this request, or refuses it (a refused request costs nothing). */
  consume(name: LimitName, subject: LimitSubject): Promise<LimitResult>;
  /** `failures` limits: reserves one attempt before it is evaluated, or refuses it. */
  attempt(name: LimitName, subject: LimitSubject): Promise<Reservation>;
}

/** An attempt that never settles (a crashed replica) frees its pair after this long. */
const IN_FLIGHT_SECONDS = 30;

export type LimiterOptions = {
  store: Store;
  /** Separates deployments sharing one Redis (the issuer); replicas of one deployment share it. */
  namespace: string;
  /** Keyed hash for account keys (the keyring's HMAC). */
  hashAccount?: (value: string) => string;
  /** Replaces some limits (tests and LATCHKEY_RATE_LIMITS shrink them). */
  policies?: Partial<Policies>;
};

type Bucket = Pick<RateLimiterAbstract, 'penalty' | 'reward' | 'get' | 'block' | 'delete'>;

const OPEN: LimitResult = { allowed: true, retryAfterSeconds: 0 };
const refused = (ms: number): { allowed: false; retryAfterSeconds: number } => ({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) });

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
    penalty: (key, points, options) => call((b) => b.penalty(key, points, options)),
    reward: (key, points, options) => call((b) => b.reward(key, points, options)),
    get: (key, options) => call((b) => b.get(key, options)),
    block: (key, seconds, options) => call((b) => b.block(key, seconds, options)),
    delete: (key, options) => call((b) => b.delete(key, options)),
  };
}

/** A counted point that can be given back. */
type Taken = { bucket: Bucket; key: string; res: RateLimiterRes; points: number };

const take = async (bucket: Bucket, key: string, window: Window): Promise<Taken> => ({ bucket, key, res: await bucket.penalty(key), points: window.points });
const over = (taken: Taken) => taken.res.consumedPoints > taken.points;
const refund = async (taken: Array<Taken | undefined>) => {
  await Promise.all(taken.map((t) => t?.bucket.reward(t.key).catch(() => {})));
};
// A delay key is "blocked" (points + 1) while the pair must wait.
const waiting = (res: RateLimiterRes | null) => (res !== null && res.consumedPoints > 1 && res.msBeforeNext > 0 ? res.msBeforeNext : 0);

export function createLimiter(options: LimiterOptions): Limiter {
  const policies: Policies = { ...DEFAULT_POLICIES, ...options.policies };
  const ns = createHash('sha256').update(options.namespace).digest('hex').slice(0, 8);
  const redis = options.store.redis;

  const bucket = (prefix: string, window: Window): Bucket => {
    const opts: IRateLimiterOptions = { keyPrefix: `ratelimit:${ns}:${prefix}`, points: window.points, duration: window.seconds };
    const memory = new RateLimiterMemory(opts);
    return redis ? insured(new RateLimiterRedis({ ...opts, storeClient: redis }), memory) : memory;
  };

  const cache = new Map<string, Bucket>();
  const bucketFor = (name: LimitName, scope: string, window: Window): Bucket => {
    const id = `${name}:${scope}`;
    let found = cache.get(id);
    if (!found) cache.set(id, (found = bucket(id, window)));
    return found;
  };

  const counters = new Map<LimitName, ReturnType<typeof backgroundCounter>>();
  const counterFor = (name: LimitName, window: Window) => {
    let found = counters.get(name);
    if (!found) counters.set(name, (found = backgroundCounter(bucketFor(name, 'ip', window), window)));
    return found;
  };

  const keys = (subject: LimitSubject) => {
    const ip = ipBucket(subject.ip);
    const account = subject.account === undefined ? undefined : accountBucket(subject.account, options.hashAccount);
    return { ip, account, pair: account === undefined ? undefined : `${account}:${ip}` };
  };

  /** One attempt in flight per pair, across replicas; undefined while another holds it. */
  const claim = async (name: LimitName, key: string): Promise<(() => Promise<void>) | undefined> => {
    const storeKey = `ratelimit:${ns}:${name}:inflight:${key}`;
    try {
      if (!(await options.store.setIfAbsent(storeKey, '1', IN_FLIGHT_SECONDS))) return undefined;
    } catch {
      // The store is down: the counting limits still hold (in-process fallback).
      return async () => {};
    }
    return async () => {
      await options.store.del(storeKey).catch(() => {});
    };
  };

  return {
    async consume(name, subject) {
      const policy = policies[name];
      if (policy.counts !== 'requests') throw new Error(`limit ${name} counts failures: use attempt()`);
      const k = keys(subject);
      if (policy.background && redis) {
        const verdict = counterFor(name, policy.perIp).consume(k.ip);
        return verdict.allowed ? OPEN : refused(verdict.msBeforeNext);
      }
      const pairOf = policy.perPair && k.pair !== undefined ? policy.perPair : undefined;
      const [ip, pair] = await Promise.all([
        take(bucketFor(name, 'ip', policy.perIp), k.ip, policy.perIp),
        pairOf ? take(bucketFor(name, 'pair', pairOf), k.pair!, pairOf) : undefined,
      ]);
      if (over(ip) || (pair && over(pair))) {
        await refund([ip, pair]);
        return refused(Math.max(over(ip) ? ip.res.msBeforeNext : 0, pair && over(pair) ? pair.res.msBeforeNext : 0));
      }
      // The ceiling is counted only for requests the pair allowed, so a stranger's
      // refused requests never spend it; a pair's first request passes it.
      if (policy.perAccount && k.account !== undefined) {
        const account = await take(bucketFor(name, 'account', policy.perAccount), k.account, policy.perAccount);
        const fresh = pair !== undefined && pair.res.consumedPoints === 1;
        if (over(account) && !fresh) {
          await refund([ip, pair, account]);
          return refused(account.res.msBeforeNext);
        }
      }
      return OPEN;
    },

    async attempt(name, subject) {
      const policy = policies[name];
      if (policy.counts !== 'failures') throw new Error(`limit ${name} counts requests: use consume()`);
      const k = keys(subject);
      const per = k.pair !== undefined ? policy.perAccount : undefined;
      const release = policy.serial ? await claim(name, k.pair ?? k.ip) : async () => {};
      if (!release) return refused(1000);

      const pairBuckets = per && {
        failures: bucketFor(name, 'pair', { points: Number.MAX_SAFE_INTEGER, seconds: per.memorySeconds }),
        // One point: block() marks "wait" and sets how long.
        delay: bucketFor(name, 'delay', { points: 1, seconds: 1 }),
        delayUnderAttack: bucketFor(name, 'delay-under-attack', { points: 1, seconds: 1 }),
      };
      let ip: Taken | undefined;
      let global: Taken | undefined;
      let account: Taken | undefined;
      let wait = 0;
      let pairFailures = 0;
      try {
        const [ipTaken, globalTaken, accountTaken, failures, delay, delayUnderAttack] = await Promise.all([
          take(bucketFor(name, 'ip', policy.perIp), k.ip, policy.perIp),
          policy.global ? take(bucketFor(name, 'global', policy.global), 'all', policy.global) : undefined,
          per ? take(bucketFor(name, 'account', per.underAttack), k.account!, per.underAttack) : undefined,
          pairBuckets?.failures.get(k.pair!),
          pairBuckets?.delay.get(k.pair!),
          pairBuckets?.delayUnderAttack.get(k.pair!),
        ]);
        [ip, global, account] = [ipTaken, globalTaken, accountTaken];
        pairFailures = failures?.consumedPoints ?? 0;
        if (over(ip)) wait = ip.res.msBeforeNext;
        // Past the global ceiling only an IP with no failure in its window may try.
        if (global && over(global) && ip.res.consumedPoints > 1) wait = Math.max(wait, global.res.msBeforeNext);
        wait = Math.max(wait, waiting(delay ?? null));
        // Under attack (failures before this attempt, from all IPs) the stricter delay applies now.
        if (account && account.res.consumedPoints - 1 >= account.points) wait = Math.max(wait, waiting(delayUnderAttack ?? null));
      } catch (error) {
        await refund([ip, global, account]);
        await release();
        throw error;
      }
      if (wait > 0) {
        await refund([ip, global, account]);
        await release();
        return refused(wait);
      }

      let settled = false;
      const settle = async (run: () => Promise<LimitResult | void>) => {
        if (settled) return OPEN;
        settled = true;
        try {
          return (await run()) ?? OPEN;
        } finally {
          await release();
        }
      };
      return {
        allowed: true,
        retryAfterSeconds: 0,
        succeed: async () => {
          await settle(async () => {
            await refund([ip, global, account]);
            if (pairBuckets && pairFailures > 0) {
              await Promise.all([pairBuckets.failures.delete(k.pair!), pairBuckets.delay.delete(k.pair!), pairBuckets.delayUnderAttack.delete(k.pair!)]);
            }
          });
        },
        cancel: async () => {
          await settle(() => refund([ip, global, account]));
        },
        fail: () =>
          settle(async () => {
            let next = ip!.res.consumedPoints >= ip!.points ? ip!.res.msBeforeNext : 0;
            if (per && pairBuckets && account) {
              const n = (await pairBuckets.failures.penalty(k.pair!)).consumedPoints;
              // Both delays are recorded, so the stricter one bites at once if the account comes under attack later.
              const normal = backoffSeconds(n, per.backoff);
              const strict = backoffSeconds(n, per.underAttackBackoff);
              await Promise.all([
                normal > 0 ? pairBuckets.delay.block(k.pair!, normal) : undefined,
                strict > 0 ? pairBuckets.delayUnderAttack.block(k.pair!, strict) : undefined,
              ]);
              const underAttack = account.res.consumedPoints >= account.points;
              next = Math.max(next, (underAttack ? Math.max(normal, strict) : normal) * 1000);
            }
            return next > 0 ? refused(next) : OPEN;
          }) as Promise<LimitResult>,
      };
    },
  };
}
