/**
 * The named limits and how hard each one bites. Two kinds:
 *
 * - `requests`: every request counts (sending a code, signing up, asking for
 *   a reset, the token endpoint). Over the limit → refused until the window
 *   ends. Per IP; where an address is typed, per (address, IP) pair, plus a
 *   ceiling per address across all IPs (mail-bombing a victim). A stranger
 *   can use up only their own pair; past the ceiling a pair's FIRST request
 *   still goes through, so the owner on a fresh IP always gets one, and
 *   each extra IP buys an attacker one mail, not five.
 *
 * - `failures`: only wrong answers count (password, email code, device user
 *   code, client secret). Each attempt is reserved before it is evaluated and
 *   refunded when it turns out right, so a parallel burst cannot overshoot.
 *   Per IP there is a hard window (an IP trying many accounts is the
 *   attacker's own address). Per account there is NO hard lock: an attacker
 *   could use it to lock the owner out. Instead each (account, IP) pair gets
 *   a few free failures and then exponentially growing delays; a correct
 *   answer from that pair clears them. When an account collects many failures
 *   from all IPs within a window it is "under attack": every pair that has
 *   failed before waits by the stricter backoff from its next attempt on, and
 *   fresh pairs get only one free try. The owner on a fresh IP with the right
 *   answer still gets straight in.
 */

export type LimitName = 'sign-in' | 'code-request' | 'code-entry' | 'sign-up' | 'password-reset' | 'device-code' | 'client-auth' | 'token' | 'flow-start' | 'registration';

export type Window = { points: number; seconds: number };

/** After `free` consecutive failures, wait baseSeconds·2^(n−free) (n = failures so far), at most maxSeconds. */
export type Backoff = { free: number; baseSeconds: number; maxSeconds: number };

export type RequestPolicy = {
  counts: 'requests';
  perIp: Window;
  /** Per (address, IP): what one stranger can spend on someone's address. */
  perPair?: Window;
  /** Per address across all IPs: a ceiling above perPair; a pair's first request passes it. */
  perAccount?: Window;
  /** Per IP only, counted in process and shared in the background (background.ts): no round trip per request. */
  background?: true;
};

export type FailurePolicy = {
  counts: 'failures';
  perIp: Window;
  /**
   * Across all IPs (device codes: guessing is spread over many addresses).
   * Once it is spent, only an IP with no failure in its own window may try.
   */
  global?: Window;
  perAccount?: {
    backoff: Backoff;
    underAttack: Window;
    underAttackBackoff: Backoff;
    /** How long a pair's consecutive failures are remembered without a success. */
    memorySeconds: number;
  };
  /** One attempt in flight per (account, IP) pair. Off where real callers send parallel requests (client auth). */
  serial?: boolean;
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
  'sign-in': { counts: 'failures', perIp: { points: 100, seconds: HOUR }, perAccount: accountBackoff, serial: true },
  'code-entry': { counts: 'failures', perIp: { points: 50, seconds: HOUR }, perAccount: accountBackoff, serial: true },
  // User codes are 8 of 20 letters; a person mistyping one needs a handful of tries.
  'device-code': { counts: 'failures', perIp: { points: 10, seconds: 15 * 60 }, global: { points: 100, seconds: 15 * 60 } },
  // Secrets are 256-bit (nothing to brute-force); this caps the hashing work and the noise.
  // Not serial: a real client sends parallel token requests.
  'client-auth': { counts: 'failures', perIp: { points: 50, seconds: 15 * 60 }, perAccount: accountBackoff },
  'code-request': { counts: 'requests', perIp: { points: 30, seconds: HOUR }, perPair: { points: 5, seconds: 15 * 60 }, perAccount: { points: 20, seconds: HOUR } },
  'sign-up': { counts: 'requests', perIp: { points: 20, seconds: HOUR }, perPair: { points: 5, seconds: HOUR }, perAccount: { points: 10, seconds: HOUR } },
  'password-reset': { counts: 'requests', perIp: { points: 20, seconds: HOUR }, perPair: { points: 5, seconds: HOUR }, perAccount: { points: 10, seconds: HOUR } },
  // Per IP only: a client_id is unauthenticated until the provider checks it, so a
  // per-client bucket would let anyone exhaust a real client's. Wrong secrets
  // are counted by 'client-auth'.
  // On every token request: counted without a Redis round trip (background.ts).
  token: { counts: 'requests', perIp: { points: 600, seconds: 60 }, background: true },
  // Each passkey ceremony or social sign-in started writes a short-lived row or key; the sign-in page
  // asks for passkey options on every load, so the budget is a person's many, not a flood.
  'flow-start': { counts: 'requests', perIp: { points: 600, seconds: HOUR } },
  // Open registration (LATCHKEY_REGISTRATION=open-public): each one writes a client row that stays.
  registration: { counts: 'requests', perIp: { points: 20, seconds: HOUR } },
};

/**
 * The windows an operator may change (LATCHKEY_RATE_LIMITS), by limit:
 * `ip`, `pair` (address + IP), `account` (the per-address ceiling, or for
 * failures the count that puts an account under attack) and `global`.
 */
export type Scope = 'ip' | 'pair' | 'account' | 'global';
export type PolicyOverrides = Partial<Record<LimitName, Partial<Record<Scope, Window>>>>;

export function scopesOf(policy: Policy): Scope[] {
  const scopes: Scope[] = ['ip'];
  if (policy.counts === 'requests') {
    if (policy.perPair) scopes.push('pair');
    if (policy.perAccount) scopes.push('account');
  } else {
    if (policy.perAccount) scopes.push('account');
    if (policy.global) scopes.push('global');
  }
  return scopes;
}

/** The policies with an operator's windows in place (names and scopes already checked by the config). */
export function withOverrides(base: Policies, overrides: PolicyOverrides = {}): Policies {
  const result = { ...base };
  for (const [name, windows] of Object.entries(overrides) as Array<[LimitName, Partial<Record<Scope, Window>>]>) {
    const policy = base[name];
    if (!policy || !windows) continue;
    if (policy.counts === 'requests') {
      result[name] = {
        ...policy,
        perIp: windows.ip ?? policy.perIp,
        ...(policy.perPair ? { perPair: windows.pair ?? policy.perPair } : {}),
        ...(policy.perAccount ? { perAccount: windows.account ?? policy.perAccount } : {}),
      };
    } else {
      result[name] = {
        ...policy,
        perIp: windows.ip ?? policy.perIp,
        ...(policy.global ? { global: windows.global ?? policy.global } : {}),
        ...(policy.perAccount ? { perAccount: { ...policy.perAccount, underAttack: windows.account ?? policy.perAccount.underAttack } } : {}),
      };
    }
  }
  return result;
}

/** Seconds to wait after the n-th consecutive failure (0: the next try may go ahead at once). */
export function backoffSeconds(failures: number, backoff: Backoff): number {
  if (failures < backoff.free) return 0;
  return Math.min(backoff.baseSeconds * 2 ** (failures - backoff.free), backoff.maxSeconds);
}
