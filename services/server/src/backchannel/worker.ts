import type { Knex } from 'knex';
import type Provider from 'oidc-provider';
import { claimLogouts, purgeLogouts, recordLogoutAttempt, type ClaimedLogout } from '../db/backchannel-logouts.ts';
import type { Logger } from '../http/logger.ts';
import { OutboundRefused, outboundFetch } from '../http/outbound.ts';
import { issueLogoutToken } from '../oidc/internals.ts';
import { failedAttempt, type OutboxOutcome } from '../outbox/outcome.ts';
import { startOutboxLoop } from '../outbox/loop.ts';
import type { Store } from '../store/index.ts';
import { DEFAULT_RETRY, type RetryPolicy } from '../webhooks/retry.ts';
import { onLogoutsEnqueued } from './wake.ts';

export type BackchannelWorkerOptions = { pollMs: number; batchSize: number; timeoutMs: number; retry: RetryPolicy; retentionDays: number };

export const DEFAULT_BACKCHANNEL_WORKER: BackchannelWorkerOptions = { pollMs: 1_000, batchSize: 20, timeoutMs: 10_000, retry: DEFAULT_RETRY, retentionDays: 30 };

// An RP answers a logout with an empty body or a short error (§2.8).
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * Sends one logout token: a fresh token per attempt (each lives two
 * minutes), the same jti throughout (the row's id), so an RP that got a
 * retry of one it already processed can tell. 200 or 204 is delivered (§2.8).
 */
async function deliver(provider: Provider, options: BackchannelWorkerOptions, row: ClaimedLogout): Promise<OutboxOutcome> {
  const token = await issueLogoutToken(provider, { clientId: row.client_id, accountId: row.account_id, sid: row.sid, jti: row.id });
  if (!token) return { kind: 'failed', status: null, error: 'the client no longer exists' };
  const occurredAt = new Date(row.created_at);
  try {
    const response = await outboundFetch(row.url, {
      purpose: 'backchannel_logout',
      trust: row.trust,
      method: 'POST',
      timeoutMs: options.timeoutMs,
      maxBytes: MAX_ANSWER_BYTES,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Latchkey-Logout/1' },
      body: new URLSearchParams({ logout_token: token }),
    });
    await response.arrayBuffer();
    if (response.status === 200 || response.status === 204) return { kind: 'delivered', status: response.status };
    const retryAfter = Number(response.headers.get('retry-after'));
    return failedAttempt(options.retry, { attempts: row.attempts, occurredAt }, {
      status: response.status,
      error: `HTTP ${response.status}`,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    });
  } catch (error) {
    if (!(error instanceof OutboundRefused)) throw error;
    // A private address stays private: refusing it again later would not change that.
    if (error.reason === 'private address' || error.reason === 'bad url') return { kind: 'failed', status: null, error: error.message.slice(0, 200) };
    return failedAttempt(options.retry, { attempts: row.attempts, occurredAt }, { status: error.status ?? null, error: error.message.slice(0, 200) });
  }
}

/**
 * Delivers back-channel logouts from the outbox until stopped; safe on any
 * number of replicas (SKIP LOCKED claims under a lease, like webhooks).
 * Wakes at once on `backchannel:logouts` (a logout enqueued on any replica)
 * and otherwise every `pollMs`, for retries that came due. `provider` is
 * read on each pass: key rotation swaps the instance.
 */
export async function startBackchannelWorker(
  deps: { knex: Knex; store: Store; provider: () => Provider; logger: Logger },
  overrides: Partial<BackchannelWorkerOptions> = {},
): Promise<{ stop: () => Promise<void>; wake: () => void }> {
  const options: BackchannelWorkerOptions = { ...DEFAULT_BACKCHANNEL_WORKER, ...overrides, retry: { ...DEFAULT_RETRY, ...overrides.retry } };
  const leaseMs = options.timeoutMs + 5_000;
  const loop = startOutboxLoop({
    name: 'back-channel logout',
    pollMs: options.pollMs,
    batchSize: options.batchSize,
    logger: deps.logger,
    housekeeping: () => purgeLogouts(deps.knex, options.retentionDays),
    runBatch: async () => {
      const claimed = await claimLogouts(deps.knex, { limit: options.batchSize, leaseMs });
      await Promise.all(
        claimed.map(async (row) => {
          let outcome: OutboxOutcome;
          try {
            outcome = await deliver(deps.provider(), options, row);
          } catch (err) {
            deps.logger.error({ err, logout: row.id }, 'back-channel logout could not be prepared');
            outcome = failedAttempt(options.retry, { attempts: row.attempts, occurredAt: new Date(row.created_at) }, { status: null, error: 'could not build the logout token' });
          }
          await recordLogoutAttempt(deps.knex, row, outcome);
          if (outcome.kind !== 'delivered') deps.logger.warn({ logout: row.id, client: row.client_id, outcome: outcome.kind, error: outcome.error }, 'back-channel logout not delivered');
        }),
      );
      return claimed.length;
    },
  });
  let unsubscribe: () => Promise<void>;
  try {
    unsubscribe = await onLogoutsEnqueued(deps.store, loop.wake);
  } catch (err) {
    await loop.stop();
    throw err;
  }
  return {
    wake: loop.wake,
    async stop() {
      await unsubscribe().catch(() => {});
      await loop.stop();
    },
  };
}
