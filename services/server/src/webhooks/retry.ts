/**
 * When to try again. Network errors, timeouts, 408, 429 and 5xx are retried
 * with exponential backoff and jitter; any other answer (3xx included:
 * redirects are never followed, 4xx) fails the delivery at once. A delivery
 * fails for good after `maxAttempts` attempts or once its event is older
 * than `maxAgeMs`.
 */
export type RetryPolicy = { baseDelayMs: number; maxDelayMs: number; maxAttempts: number; maxAgeMs: number };

/** 16 attempts over about six and a half hours (5 s, 10 s, 20 s … capped at one hour apart), never past a day. */
export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 5_000, maxDelayMs: 60 * 60_000, maxAttempts: 16, maxAgeMs: 24 * 60 * 60_000 };

export const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * The wait after failed attempt number `attempts` (1-based): doubling from
 * the base, capped, ±25 % jitter so receivers coming back are not hit by
 * every delivery at once. A receiver's Retry-After (seconds) is honoured up
 * to the cap.
 */
export function retryDelayMs(policy: RetryPolicy, attempts: number, retryAfterSeconds?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempts - 1, 30));
  const jittered = exponential * (0.75 + Math.random() * 0.5);
  if (retryAfterSeconds !== undefined) return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterSeconds * 1000));
  return Math.round(jittered);
}

/** Whether a failed attempt gives up instead of scheduling another. */
export function isExhausted(policy: RetryPolicy, attempts: number, occurredAt: Date, nextDelayMs: number): boolean {
  return attempts >= policy.maxAttempts || Date.now() + nextDelayMs - occurredAt.getTime() > policy.maxAgeMs;
}
