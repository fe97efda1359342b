import type { Knex } from 'knex';
import { claimPushSets, purgeSets, recordPushAttempt, type ClaimedSet, type PushOutcome } from '../db/ssf-outbox.ts';
import type { Logger } from '../http/logger.ts';
import { startOutboxLoop } from '../outbox/loop.ts';
import { failedAttempt } from '../outbox/outcome.ts';
import type { Store } from '../store/index.ts';
import { DEFAULT_RETRY, retryDelayMs, type RetryPolicy } from '../webhooks/retry.ts';
import { sendDelivery } from '../webhooks/send.ts';
import { signSet, type SetContext } from './set.ts';
import { onWake } from './wake.ts';

/**
 * Push delivery (RFC 8935) from the outbox: the webhook worker's pattern
 * and its retry policy and sender (redirects never followed, bounded time).
 * Wakes at once on `ssf:events` (an event enqueued on any replica) and
 * otherwise every `pollMs`, for retries that came due.
 */

export type SignalsWorkerOptions = { pollMs: number; batchSize: number; timeoutMs: number; retry: RetryPolicy; retentionDays: number };

export const DEFAULT_SIGNALS_WORKER: SignalsWorkerOptions = { pollMs: 1_000, batchSize: 20, timeoutMs: 10_000, retry: DEFAULT_RETRY, retentionDays: 30 };

export type SignalsWorkerDeps = SetContext & { knex: Knex; store: Store; logger: Logger };

async function push(deps: SignalsWorkerDeps, options: SignalsWorkerOptions, set: ClaimedSet): Promise<PushOutcome> {
  const headers: Record<string, string> = { 'content-type': 'application/secevent+jwt', accept: 'application/json', 'user-agent': 'Latchkey-Signals/1' };
  if (set.authorization_header) headers.authorization = deps.keyring.decrypt('ssf-authorization', set.authorization_header);
  const result = await sendDelivery({ url: set.endpoint_url, body: await signSet(deps, set), headers, timeoutMs: options.timeoutMs });
  if (result.ok) return { kind: 'delivered', status: result.status! };
  // RFC 8935 §2.3: a 400 says the receiver refused this SET; sending it again would not change that.
  return failedAttempt(options.retry, { attempts: set.attempts, occurredAt: new Date(set.occurred_at) }, { status: result.status, error: result.error ?? 'failed', retryAfterSeconds: result.retryAfterSeconds });
}

export async function startSignalsWorker(deps: SignalsWorkerDeps, overrides: Partial<SignalsWorkerOptions> = {}): Promise<{ stop: () => Promise<void> }> {
  const options: SignalsWorkerOptions = { ...DEFAULT_SIGNALS_WORKER, ...overrides, retry: { ...DEFAULT_RETRY, ...overrides.retry } };
  const leaseMs = options.timeoutMs + 5_000;

  const runBatch = async (): Promise<number> => {
    const claimed = await claimPushSets(deps.knex, { limit: options.batchSize, leaseMs });
    await Promise.all(
      claimed.map(async (set) => {
        let outcome: PushOutcome;
        try {
          outcome = await push(deps, options, set);
        } catch (err) {
          deps.logger.error({ err, jti: set.jti }, 'security event could not be prepared');
          outcome = { kind: 'retry', status: null, error: 'could not sign the event', delayMs: retryDelayMs(options.retry, set.attempts) };
        }
        await recordPushAttempt(deps.knex, set, outcome);
        if (outcome.kind !== 'delivered') deps.logger.warn({ stream: set.stream_id, jti: set.jti, outcome: outcome.kind, error: outcome.error }, 'security event push failed');
      }),
    );
    return claimed.length;
  };

  const loop = startOutboxLoop({
    name: 'security event',
    pollMs: options.pollMs,
    batchSize: options.batchSize,
    logger: deps.logger,
    runBatch,
    housekeeping: () => purgeSets(deps.knex, options.retentionDays),
  });
  const unsubscribe = await onWake(deps.store, () => loop.wake());

  return {
    async stop() {
      await unsubscribe().catch(() => {});
      await loop.stop();
    },
  };
}
