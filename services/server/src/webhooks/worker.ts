import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import { claimDeliveries, recordAttempt, type AttemptOutcome, type ClaimedDelivery } from '../db/webhook-deliveries.ts';
import { purgeWebhookEvents } from '../db/webhook-events.ts';
import type { Logger } from '../http/logger.ts';
import { startOutboxLoop } from '../outbox/loop.ts';
import { DEFAULT_RETRY, isExhausted, isRetryableStatus, retryDelayMs, type RetryPolicy } from './retry.ts';
import { openSecret } from './secret.ts';
import { sendDelivery } from './send.ts';
import { signedHeaders } from './sign.ts';

export type WebhookWorkerOptions = {
  /** How often to look for due deliveries. */
  pollMs: number;
  /** Deliveries claimed (and sent in parallel) at once. */
  batchSize: number;
  /** Per attempt, connection to last byte. */
  timeoutMs: number;
  retry: RetryPolicy;
  /** Delivered and failed events are deleted after this many days. */
  retentionDays: number;
};

export const DEFAULT_WORKER_OPTIONS: WebhookWorkerOptions = { pollMs: 1_000, batchSize: 20, timeoutMs: 10_000, retry: DEFAULT_RETRY, retentionDays: 30 };

export type WebhookWorker = { stop: () => Promise<void> };

/** The JSON body receivers get: Standard Webhooks' { type, timestamp, data }. */
export const deliveryBody = (delivery: Pick<ClaimedDelivery, 'event_type' | 'occurred_at' | 'data'>): string =>
  JSON.stringify({ type: delivery.event_type, timestamp: new Date(delivery.occurred_at).toISOString(), data: delivery.data });

function signingSecrets(keyring: Keyring, delivery: ClaimedDelivery): string[] {
  const secrets = [openSecret(keyring, delivery.secret)];
  if (delivery.previous_secret && delivery.previous_secret_until && new Date(delivery.previous_secret_until).getTime() > Date.now()) {
    secrets.push(openSecret(keyring, delivery.previous_secret));
  }
  return secrets;
}

async function attempt(deps: { keyring: Keyring }, options: WebhookWorkerOptions, delivery: ClaimedDelivery): Promise<AttemptOutcome> {
  const body = deliveryBody(delivery);
  const headers = signedHeaders({ eventId: delivery.event_id, body, secrets: signingSecrets(deps.keyring, delivery) });
  const result = await sendDelivery({ url: delivery.url, body, headers, timeoutMs: options.timeoutMs });
  if (result.ok) return { kind: 'delivered', status: result.status! };
  const error = result.error ?? 'failed';
  if (result.status !== null && !isRetryableStatus(result.status)) return { kind: 'failed', status: result.status, error };
  const delayMs = retryDelayMs(options.retry, delivery.attempts, result.retryAfterSeconds);
  if (isExhausted(options.retry, delivery.attempts, new Date(delivery.occurred_at), delayMs)) {
    return { kind: 'failed', status: result.status, error: `${error} (gave up after ${delivery.attempts} attempts)` };
  }
  return { kind: 'retry', status: result.status, error, delayMs };
}

/**
 * Sends due deliveries until stopped. Safe on any number of replicas: each
 * batch is claimed with FOR UPDATE SKIP LOCKED under a lease a little longer
 * than an attempt may take, so a delivery is sent by one worker at a time,
 * and one that dies mid-attempt leaves it to be retried once the lease runs
 * out (at least once: the unchanged webhook-id lets receivers deduplicate).
 */
export function startWebhookWorker(deps: { knex: Knex; keyring: Keyring; logger: Logger }, overrides: Partial<WebhookWorkerOptions> = {}): WebhookWorker {
  const options: WebhookWorkerOptions = { ...DEFAULT_WORKER_OPTIONS, ...overrides, retry: { ...DEFAULT_RETRY, ...overrides.retry } };
  const leaseMs = options.timeoutMs + 5_000;

  const runBatch = async (): Promise<number> => {
    const claimed = await claimDeliveries(deps.knex, { limit: options.batchSize, leaseMs });
    await Promise.all(
      claimed.map(async (delivery) => {
        let outcome: AttemptOutcome;
        try {
          outcome = await attempt(deps, options, delivery);
        } catch (err) {
          // E.g. a secret sealed under a secret no longer listed: a failure we can name, not a crash.
          deps.logger.error({ err, delivery: delivery.id }, 'webhook delivery could not be prepared');
          outcome = { kind: 'failed', status: null, error: 'could not sign the delivery' };
        }
        await recordAttempt(deps.knex, delivery, outcome);
        if (outcome.kind !== 'delivered') deps.logger.warn({ delivery: delivery.id, event: delivery.event_id, outcome: outcome.kind, error: outcome.error }, 'webhook delivery failed');
      }),
    );
    return claimed.length;
  };

  // A full batch means more may be due: the loop keeps going before sleeping.
  const loop = startOutboxLoop({
    name: 'webhook',
    pollMs: options.pollMs,
    batchSize: options.batchSize,
    logger: deps.logger,
    runBatch,
    housekeeping: () => purgeWebhookEvents(deps.knex, options.retentionDays),
  });
  return { stop: () => loop.stop() };
}
