import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLimiter, type Limiter, type LimitResult } from '../src/ratelimit/limiter.ts';
import { ipBucket } from '../src/ratelimit/keys.ts';
import { backoffSeconds, DEFAULT_POLICIES, type LimitName, type Policies } from '../src/ratelimit/policies.ts';
import { createStore, type Store } from '../src/store/index.ts';
import { realRedisUrl } from './support/backends.ts';

const stores: Array<{ name: string; open: () => Promise<Store> }> = [
  { name: 'in-process', open: () => createStore({ redisUrl: undefined }) },
  ...(realRedisUrl ? [{ name: 'redis', open: () => createStore({ redisUrl: realRedisUrl }) }] : []),
];

// Small limits so a test reaches them in a few calls.
const small: Partial<Policies> = {
  'sign-up': { counts: 'requests', perIp: { points: 3, seconds: 60 }, perPair: { points: 2, seconds: 60 }, perAccount: { points: 4, seconds: 60 } },
  'sign-in': {
    counts: 'failures',
    perIp: { points: 8, seconds: 60 },
    perAccount: {
      backoff: { free: 3, baseSeconds: 2, maxSeconds: 30 },
      underAttack: { points: 5, seconds: 60 },
      underAttackBackoff: { free: 1, baseSeconds: 20, maxSeconds: 30 },
      memorySeconds: 600,
    },
    serial: true,
  },
  'device-code': { counts: 'failures', perIp: { points: 3, seconds: 60 }, global: { points: 5, seconds: 60 } },
};

let n = 0;
const account = () => `person-${process.pid}-${(n += 1)}@example.com`;
const ip = () => `198.51.100.${(n += 1) % 250}`;

describe.each(stores)('rate limiter on the $name store', ({ open }) => {
  let store: Store;
  let limiter: Limiter;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store?.close());
  // A fresh namespace per test: buckets never leak between tests or runs.
  const fresh = (policies: Partial<Policies> = small) => (limiter = createLimiter({ store, namespace: randomBytes(8).toString('hex'), policies }));

  type Subject = Parameters<Limiter['attempt']>[1];
  /** A wrong answer: the refusal if the attempt was refused, else what fail() says about the next one. */
  const wrong = async (subject: Subject, name: LimitName = 'sign-in'): Promise<LimitResult> => {
    const attempt = await limiter.attempt(name, subject);
    return attempt.allowed ? attempt.fail() : { allowed: false, retryAfterSeconds: attempt.retryAfterSeconds };
  };
  /** May an attempt go ahead now? Reserves and refunds, so it counts nothing. */
  const mayTry = async (subject: Subject, name: LimitName = 'sign-in'): Promise<LimitResult> => {
    const attempt = await limiter.attempt(name, subject);
    if (attempt.allowed) await attempt.cancel();
    return { allowed: attempt.allowed, retryAfterSeconds: attempt.retryAfterSeconds };
  };

  it('a requests limit refuses an IP over its window, with the seconds left to wait', async () => {
    fresh();
    const from = ip();
    for (let i = 0; i < 3; i += 1) expect(await limiter.consume('sign-up', { ip: from, account: account() })).toEqual({ allowed: true, retryAfterSeconds: 0 });
    const refused = await limiter.consume('sign-up', { ip: from, account: account() });
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(50);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Another address is not affected.
    expect((await limiter.consume('sign-up', { ip: ip(), account: account() })).allowed).toBe(true);
  });

  it('a requests limit counts per (address, IP), compared case-insensitively; the owner on another IP is not refused', async () => {
    fresh();
    const who = account();
    const stranger = ip();
    expect((await limiter.consume('sign-up', { ip: stranger, account: who })).allowed).toBe(true);
    expect((await limiter.consume('sign-up', { ip: stranger, account: ` ${who.toUpperCase()} ` })).allowed).toBe(true);
    expect((await limiter.consume('sign-up', { ip: stranger, account: who })).allowed).toBe(false);
    expect((await limiter.consume('sign-up', { ip: ip(), account: who })).allowed).toBe(true);
  });

  it('past the per-address ceiling only a pair\'s first request goes through; refused requests spend nothing', async () => {
    fresh();
    const who = account();
    // Two IPs spend their pairs (2 each): the ceiling of 4 is reached.
    for (const from of [ip(), ip()]) for (let i = 0; i < 2; i += 1) expect((await limiter.consume('sign-up', { ip: from, account: who })).allowed).toBe(true);
    const busy = ip();
    expect((await limiter.consume('sign-up', { ip: busy, account: who })).allowed).toBe(true);
    const refused = await limiter.consume('sign-up', { ip: busy, account: who });
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(50);
    // A fresh IP (the owner) still gets its first request.
    expect((await limiter.consume('sign-up', { ip: ip(), account: who })).allowed).toBe(true);
  });

  it('failures from one (account, IP) pair get free tries, then growing delays; a refunded attempt counts nothing', async () => {
    fresh();
    const subject = { ip: ip(), account: account() };
    for (let i = 0; i < 5; i += 1) expect((await mayTry(subject)).allowed).toBe(true);
    expect(await wrong(subject)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(await wrong(subject)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    // Third consecutive failure: wait 2 s.
    expect(await wrong(subject)).toEqual({ allowed: false, retryAfterSeconds: 2 });
    const waiting = await mayTry(subject);
    expect(waiting.allowed).toBe(false);
    expect(waiting.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(waiting.retryAfterSeconds).toBeLessThanOrEqual(2);
    // Same account from another IP, and another account from this IP: no delay.
    expect((await mayTry({ ip: ip(), account: subject.account })).allowed).toBe(true);
    expect((await mayTry({ ip: subject.ip, account: account() })).allowed).toBe(true);
  });

  it('the delay ends by itself, and a success clears the pair', async () => {
    const signIn = small['sign-in'] as Extract<Policies['sign-in'], { counts: 'failures' }>;
    // Not "under attack" in this test: only the pair's own counting matters here.
    fresh({ ...small, 'sign-in': { ...signIn, perAccount: { ...signIn.perAccount!, underAttack: { points: 100, seconds: 60 } } } });
    const subject = { ip: ip(), account: account() };
    for (let i = 0; i < 3; i += 1) await wrong(subject);
    expect((await mayTry(subject)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    // The fourth failure doubles the delay.
    expect(await wrong(subject)).toEqual({ allowed: false, retryAfterSeconds: 4 });
    expect((await mayTry(subject)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 4100));
    const attempt = await limiter.attempt('sign-in', subject);
    expect(attempt.allowed).toBe(true);
    if (attempt.allowed) await attempt.succeed();
    // Counting starts again from zero: two free failures.
    expect((await wrong(subject)).allowed).toBe(true);
    expect((await wrong(subject)).allowed).toBe(true);
  });

  it('an account under attack from many IPs still lets a fresh IP try once; its failures then wait long', async () => {
    fresh();
    const victim = account();
    // Five failures from five addresses: each pair is still within its free tries.
    for (let i = 0; i < 5; i += 1) expect((await wrong({ ip: ip(), account: victim })).allowed).toBe(i < 4);
    const owner = { ip: ip(), account: victim };
    expect((await mayTry(owner)).allowed).toBe(true);
    // Under attack, one wrong guess from a fresh IP costs 20 s.
    expect(await wrong(owner)).toEqual({ allowed: false, retryAfterSeconds: 20 });
    // Other accounts are not under attack.
    const bystander = { ip: ip(), account: account() };
    expect((await wrong(bystander)).allowed).toBe(true);
  });

  it('"under attack" applies to the next attempt of a pair that failed before, not only after its next failure', async () => {
    fresh();
    const victim = account();
    const early = { ip: ip(), account: victim };
    // One failure: within the free tries, no delay.
    expect((await wrong(early)).allowed).toBe(true);
    expect((await mayTry(early)).allowed).toBe(true);
    // Four more failures from other IPs put the account under attack.
    for (let i = 0; i < 4; i += 1) await wrong({ ip: ip(), account: victim });
    const waiting = await mayTry(early);
    expect(waiting.allowed).toBe(false);
    expect(waiting.retryAfterSeconds).toBeGreaterThan(15);
  });

  it('an IP failing against many accounts is stopped by its own window', async () => {
    fresh();
    const attacker = ip();
    for (let i = 0; i < 8; i += 1) await wrong({ ip: attacker, account: account() });
    const refused = await mayTry({ ip: attacker, account: account() });
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(50);
    expect((await mayTry({ ip: ip(), account: account() })).allowed).toBe(true);
  });

  it('parallel attempts are reserved before they are judged: a burst gets no more than the IP window', async () => {
    fresh();
    const attacker = ip();
    const attempts = await Promise.all(Array.from({ length: 30 }, () => limiter.attempt('sign-in', { ip: attacker, account: account() })));
    expect(attempts.filter((a) => a.allowed)).toHaveLength(8);
    // A right answer gives its reservation back: room for exactly one more.
    const allowed = attempts.filter((a) => a.allowed);
    await allowed[0]!.succeed();
    await Promise.all(allowed.slice(1).map((a) => a.fail()));
    expect((await wrong({ ip: attacker, account: account() })).allowed).toBe(false);
    expect((await mayTry({ ip: attacker, account: account() })).allowed).toBe(false);
  });

  it('one attempt in flight per pair on a serial limit; it is free again once settled', async () => {
    fresh();
    const subject = { ip: ip(), account: account() };
    const first = await limiter.attempt('sign-in', subject);
    expect(first.allowed).toBe(true);
    expect((await limiter.attempt('sign-in', subject)).allowed).toBe(false);
    if (first.allowed) await first.cancel();
    expect((await mayTry(subject)).allowed).toBe(true);
  });

  it('a global ceiling stops guesses spread over many IPs; an IP with no failure may still try once', async () => {
    fresh();
    // Five IPs, one wrong code each: the global window of 5 is spent.
    for (let i = 0; i < 5; i += 1) expect((await wrong({ ip: ip() }, 'device-code')).allowed).toBe(true);
    const busy = ip();
    expect((await wrong({ ip: busy }, 'device-code')).allowed).toBe(true);
    const refused = await mayTry({ ip: busy }, 'device-code');
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(50);
    expect((await mayTry({ ip: ip() }, 'device-code')).allowed).toBe(true);
  });

  it('an IPv6 client is limited by its /64; an IPv4-mapped address is its IPv4 address', async () => {
    expect(ipBucket('2001:db8:1:2:aaaa::1')).toBe(ipBucket('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(ipBucket('2001:db8:1:2::1')).not.toBe(ipBucket('2001:db8:1:3::1'));
    expect(ipBucket('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(ipBucket(undefined)).toBe('unknown');
    fresh();
    for (let i = 0; i < 3; i += 1) await limiter.consume('sign-up', { ip: `2001:db8:7:7::${i + 1}` });
    expect((await limiter.consume('sign-up', { ip: '2001:db8:7:7:ffff::9' })).allowed).toBe(false);
  });

  it('limiters with different namespaces (deployments) do not share buckets', async () => {
    const a = fresh();
    const b = createLimiter({ store, namespace: randomBytes(8).toString('hex'), policies: small });
    const from = ip();
    for (let i = 0; i < 3; i += 1) await a.consume('sign-up', { ip: from });
    expect((await a.consume('sign-up', { ip: from })).allowed).toBe(false);
    expect((await b.consume('sign-up', { ip: from })).allowed).toBe(true);
  });

  it('refuses a call that does not match the kind of limit', async () => {
    fresh();
    await expect(limiter.consume('sign-in', { ip: ip() })).rejects.toThrow(/use attempt/);
    await expect(limiter.attempt('sign-up', { ip: ip() })).rejects.toThrow(/use consume/);
  });
});

describe.skipIf(!realRedisUrl)('rate limiter when Redis fails', () => {
  it('falls back to in-process limits instead of failing open or locking everyone out', async () => {
    const store = await createStore({ redisUrl: realRedisUrl });
    const limiter = createLimiter({ store, namespace: randomBytes(8).toString('hex'), policies: small });
    store.redis!.disconnect();
    const from = ip();
    for (let i = 0; i < 3; i += 1) expect((await limiter.consume('sign-up', { ip: from })).allowed).toBe(true);
    expect((await limiter.consume('sign-up', { ip: from })).allowed).toBe(false);
    await store.close();
  });
});

describe('default policies', () => {
  it('sign-in delays grow from 1 s to at most 15 minutes after five free failures', () => {
    const perAccount = (DEFAULT_POLICIES['sign-in'] as { perAccount: { backoff: Parameters<typeof backoffSeconds>[1] } }).perAccount;
    expect([4, 5, 6, 7, 14, 30].map((failures) => backoffSeconds(failures, perAccount.backoff))).toEqual([0, 1, 2, 4, 512, 900]);
  });
});
