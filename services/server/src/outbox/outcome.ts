import type { Knex } from 'knex';
import { isExhausted, isRetryableStatus, retryDelayMs, type RetryPolicy } from '../webhooks/retry.ts';

/** What one delivery attempt from an outbox came to. */
export type OutboxOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status: number | null; error: string; delayMs: number }
  | { kind: 'failed'; status: number | null; error: string };

/**
 * A failed attempt's outcome under a retry policy: network errors, 408, 429
 * and 5xx are tried again with backoff until the policy gives up; any other
 * answer fails at once.
 */
export function failedAttempt(
  policy: RetryPolicy,
  attempt: { attempts: number; occurredAt: Date },
  result: { status: number | null; error: string; retryAfterSeconds?: number },
): OutboxOutcome {
  if (result.status !== null && !isRetryableStatus(result.status)) return { kind: 'failed', status: result.status, error: result.error };
  const delayMs = retryDelayMs(policy, attempt.attempts, result.retryAfterSeconds);
  if (isExhausted(policy, attempt.attempts, attempt.occurredAt, delayMs)) {
    return { kind: 'failed', status: result.status, error: `${result.error} (gave up after ${attempt.attempts} attempts)` };
  }
  return { kind: 'retry', status: result.status, error: result.error, delayMs };
}

/**
 * The row change that records an attempt's outcome (the caller updates only
 * while its lease holds): delivered and failed end the row (`column` holds
 * its state), a retry sets when it is due again.
 */
export function attemptChange(db: Knex, outcome: OutboxOutcome, column: 'status' | 'state'): Record<string, unknown> {
  const common = { leased_until: null, last_status: outcome.status };
  if (outcome.kind === 'delivered') return { ...common, [column]: 'delivered', delivered_at: db.fn.now(), last_error: null };
  if (outcome.kind === 'retry') return { ...common, last_error: outcome.error, next_attempt_at: db.raw(`now() + ?::float8 * interval '1 millisecond'`, [outcome.delayMs]) };
  return { ...common, [column]: 'failed', last_error: outcome.error };
}
