import type { Limiter } from '../ratelimit/index.ts';

/**
 * Wrong user codes on /device, limited per client IP (the 'device-code'
 * policy): with 8 letters from a 20-letter alphabet a code is hard to guess,
 * but only if guessing is slow.
 */
export type DeviceCodeLimiter = {
  /** Seconds the IP must wait before trying another code; 0 when it may try now. */
  retryAfter(ip: string): Promise<number>;
  /** Counts one wrong code for the IP. */
  fail(ip: string): Promise<void>;
};

export function deviceCodeLimiter(limiter: Limiter): DeviceCodeLimiter {
  return {
    async retryAfter(ip) {
      const verdict = await limiter.check('device-code', { ip });
      return verdict.allowed ? 0 : Math.max(1, verdict.retryAfterSeconds);
    },
    async fail(ip) {
      await limiter.fail('device-code', { ip });
    },
  };
}
