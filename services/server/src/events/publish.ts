import type { Knex } from 'knex';
import type { Store } from '../store/index.ts';
import { afterCommit } from './after-commit.ts';

/**
 * What other replicas and listeners hear about (seed 004's channels), on
 * Redis pub/sub or the in-process store. Payloads carry ids only: a listener
 * that needs more reads Postgres, the source of truth.
 */
export type EventChannels = {
  'user:created': { userId: string };
  'user:updated': { userId: string };
  /** `sessionId` is the session's uid (stable across oidc-provider's id rotation, never the cookie value). */
  'session:created': { sessionId: string; userId: string };
  'session:revoked': { sessionId: string; userId: string | null; reason: string };
  /** The CLI changed signing keys (revoke, rotate): every replica reloads its key set now instead of at its next poll. */
  'signing-keys:changed': { reason: string };
  /** A client was created, changed or deleted: replicas drop their cached copy (src/oidc/metadata-cache.ts). */
  'clients:changed': { clientId: string };
  /** An API resource was created, changed or deleted: replicas drop their cached resources. */
  'resources:changed': { resourceId: string };
};

export type EventChannel = keyof EventChannels;

/**
 * Publishes once `db`'s transaction has committed, never for rolled-back
 * work; straight away when `db` is not a transaction. Delivery is best
 * effort (pub/sub may be lost by design), so errors are swallowed.
 */
export function publishAfterCommit<C extends EventChannel>(db: Knex, store: Store, channel: C, payload: EventChannels[C]): void {
  afterCommit(db, () => {
    store.publish(channel, JSON.stringify(payload)).catch(() => {});
  });
}

/** Listens on a channel; malformed messages are ignored. Resolves once subscribed, to an unsubscribe function. */
export function subscribeEvents<C extends EventChannel>(
  store: Store,
  channel: C,
  handler: (payload: EventChannels[C]) => void,
): Promise<() => Promise<void>> {
  return store.subscribe(channel, (message) => {
    let payload: EventChannels[C];
    try {
      payload = JSON.parse(message) as EventChannels[C];
    } catch {
      return;
    }
    handler(payload);
  });
}
