import type { Knex } from 'knex';
import type { WebhookEvent } from '../webhooks/catalogue.ts';

/**
 * The webhook outbox. An event is written by the statement (or transaction)
 * that makes the change it describes, and fanned out to every enabled
 * endpoint subscribed to its type in that same statement: once the change
 * is committed, its deliveries exist, whatever happens to the process next.
 * Nobody subscribed: nothing is written.
 */

/**
 * CTEs (without the leading `with`) that append the events selected by
 * `source` — a query yielding (type text, subject text, data jsonb) — to the
 * outbox and fan them out. For callers that must stay one statement (the
 * session upsert runs on every request).
 */
export function outboxCtes(source: string): string {
  return `webhook_event as (
    insert into webhook_events (type, subject, data)
    select e.type, e.subject, e.data from (${source}) as e (type, subject, data)
    where exists (select 1 from webhooks w where w.enabled and e.type = any (w.event_types))
    returning id, type, subject
  ),
  webhook_fanout as (
    insert into webhook_deliveries (webhook_id, event_id, subject, event_type)
    select w.id, e.id, e.subject, e.type from webhook_event e join webhooks w on w.enabled and e.type = any (w.event_types)
  )`;
}

/** Writes `event` to the outbox with `db` (the change's transaction). */
export async function insertWebhookEvent(db: Knex, event: WebhookEvent): Promise<void> {
  await db.raw(`with ${outboxCtes('select ?::text, ?::text, ?::jsonb')} select 1`, [event.type, event.subject, JSON.stringify(event.data)]);
}

export type StoredWebhookEvent = { id: string; type: string; subject: string | null; data: Record<string, unknown>; occurred_at: Date };

export async function findWebhookEvent(db: Knex, id: string): Promise<StoredWebhookEvent | undefined> {
  if (!/^[0-9]{1,18}$/.test(id)) return undefined;
  return db('webhook_events').where({ id }).first();
}

/**
 * Deletes events older than `olderThanDays` with nothing pending (their
 * deliveries go with them); bounded per call so a big backlog never holds
 * long locks. Returns how many went.
 */
export async function purgeWebhookEvents(db: Knex, olderThanDays: number, batchSize = 1000): Promise<number> {
  const { rows } = (await db.raw(
    `delete from webhook_events where id in (
      select e.id from webhook_events e
      where e.occurred_at < now() - ?::float8 * interval '1 day'
        and not exists (select 1 from webhook_deliveries d where d.event_id = e.id and d.status = 'pending')
      order by e.id limit ?
    ) returning id`,
    [olderThanDays, batchSize],
  )) as { rows: unknown[] };
  return rows.length;
}
