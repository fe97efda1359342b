import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Attempt, Limiter } from '../ratelimit/index.ts';

/**
 * Wrong user codes on /device, limited per client IP and across all IPs (the
 * 'device-code' policy): with 8 letters from a 20-letter alphabet a code is
 * hard to guess, but only if guessing is slow everywhere at once.
 *
 * Each code submission is reserved before oidc-provider looks the code up,
 * and refunded unless the provider reports the code unknown, so a parallel
 * burst gets no more lookups than the budget.
 */
export type DeviceCodeLimiter = {
  /** Reserves a lookup for this request; the seconds to wait when refused, else 0. */
  begin(req: IncomingMessage, res: ServerResponse, ip: string | undefined): Promise<number>;
  /** The code this request submitted was unknown: its reservation counts as a failure. */
  fail(req: IncomingMessage): Promise<void>;
};

// Keyed by the Node request, which Express and oidc-provider (Koa) share.
const reserved = new WeakMap<IncomingMessage, Attempt>();

export function deviceCodeLimiter(limiter: Limiter): DeviceCodeLimiter {
  return {
    async begin(req, res, ip) {
      const verdict = await limiter.attempt('device-code', { ip });
      if (!verdict.allowed) return Math.max(1, verdict.retryAfterSeconds);
      reserved.set(req, verdict);
      // Whatever else happens to the request (right code, bad form, error), the lookup is refunded.
      res.once('close', () => void verdict.cancel().catch(() => {}));
      return 0;
    },
    async fail(req) {
      await reserved.get(req)?.fail();
    },
  };
}
