/**
 * The named limits and how hard each one bites. Two kinds:
 *
 * - `requests`: every request counts (sending a code, signing up, asking for
 *   a reset, the token endpoint). Over the limit → refused until the window
 *   ends. Per IP and, where there is one, per account (mail-bombing a victim).
 *
 * - `failures`: only wrong answers count (password, email code, device user
 *   code). Per IP there is a hard window (an IP trying many accounts is the
 *   attacker's own address). Per account there is NO hard lock: an attacker
 *   could use it to lock the owner out. Instead each (account, IP) pair gets
 *   a few free failures and then exponentially growing delays; a correct
 *   answer from that pair clears them. When an account collects many failures
 *   from all IPs within a window it is "under attack": every pair, including
 *   fresh IPs, then gets only one free try before long delays. The owner on a
 *   fresh IP with the right password still gets straight in.
 */

export type LimitName = 'sign-in' | 'code-request' | 'code-entry' | 'sign-up' | 'password-reset' | 'device-code' | 'token';

export type Window = { points: number; seconds: number };

/** After `free` consecutive failures, wait baseSeconds·2^(n−free) (n = failures so far), at most maxSeconds. */
export type Backoff = { free: number; baseSeconds: number; maxSeconds: number };

export type RequestPolicy = { counts: 'requests'; perIp: Window; perAccount?: Window };

export type FailurePolicy = {
  counts: 'failures';
  perIp: Window;
  perAccount?: {
    backoff: Backoff;
    underAttack: Window;
    underAttackBackoff: Backoff;
    /** How long a pair's consecutive failures are remembered without a success. */
    memorySeconds: number;
  };
};

export type Policy = RequestPolicy | FailurePolicy;
export type Policies = Record<LimitName, Policy>;

const HOUR = 3600;

const accountBackoff: NonNullable<FailurePolicy['perAccount']> = {
  backoff: { free: 5, baseSeconds: 1, maxSeconds: 15 * 60 },
  underAttack: { points: 20, seconds: HOUR },
  underAttackBackoff: { free: 1, baseSeconds: 30, maxSeconds: 15 * 60 },
  memorySeconds: 24 * HOUR,
};

export const DEFAULT_POLICIES: Policies = {
  'sign-in': { counts: 'failures', perIp: { points: 100, seconds: HOUR }, perAccount: accountBackoff },
  'code-entry': { counts: 'failures', perIp: { points: 50, seconds: HOUR }, perAccount: accountBackoff },
  // User codes are 8 of 20 letters; a person mistyping one needs a handful of tries.
  'device-code': { counts: 'failures', perIp: { points: 10, seconds: 15 * 60 } },
  'code-request': { counts: 'requests', perIp: { points: 30, seconds: HOUR }, perAccount: { points: 5, seconds: 15 * 60 } },
  'sign-up': { counts: 'requests', perIp: { points: 20, seconds: HOUR }, perAccount: { points: 5, seconds: HOUR } },
  'password-reset': { counts: 'requests', perIp: { points: 20, seconds: HOUR }, perAccount: { points: 5, seconds: HOUR } },
  // Per IP only: a client_id is unauthenticated until the provider checks it, so a
  // per-client bucket would let anyone exhaust a real client's (and secrets are
  // 256-bit: nothing to brute-force).
  token: { counts: 'requests', perIp: { points: 600, seconds: 60 } },
};

/** Seconds to wait after the n-th consecutive failure (0: the next try may go ahead at once). */
export function backoffSeconds(failures: number, backoff: Backoff): number {
  if (failures < backoff.free) return 0;
  return Math.min(backoff.baseSeconds * 2 ** (failures - backoff.free), backoff.maxSeconds);
}
