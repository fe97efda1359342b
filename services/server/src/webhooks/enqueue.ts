import type { Knex } from 'knex';
import { insertWebhookEvent } from '../db/webhook-events.ts';
import type { WebhookEvent } from './catalogue.ts';

/**
 * Adds a webhook event to the outbox with `trx`, the transaction of the
 * change it describes: the event exists exactly when the change does, and
 * the delivery worker sends it even if this process dies right after the
 * commit. `subject` orders deliveries (a user id where there is one).
 */
export async function enqueueEvent(trx: Knex, event: WebhookEvent): Promise<void> {
  await insertWebhookEvent(trx, event);
}
