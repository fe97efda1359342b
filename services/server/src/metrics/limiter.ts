import type { Limiter } from '../ratelimit/index.ts';
import type { Metrics } from './registry.ts';

/** The same limiter, counting each refusal under the limit's name. */
export function countRefusals(limiter: Limiter, metrics: Metrics): Limiter {
  return {
    async consume(name, subject) {
      const result = await limiter.consume(name, subject);
      if (!result.allowed) metrics.rateLimitRefusals.inc({ limit: name });
      return result;
    },
    async attempt(name, subject) {
      const reservation = await limiter.attempt(name, subject);
      if (!reservation.allowed) metrics.rateLimitRefusals.inc({ limit: name });
      return reservation;
    },
  };
}
