import type { Knex } from 'knex';
import { attemptChange, type OutboxOutcome } from '../outbox/outcome.ts';
import { keyset, pageOf, type Position } from './keyset.ts';
import { UUID } from './webhooks.ts';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export type DeliveryRow = {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  subject: string | null;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_status: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
};

/** A claimed delivery with what sending it takes. `lease` (leased_until as text, full precision) is the claim's token. */
export type ClaimedDelivery = {
  id: string;
  attempts: number;
  lease: string;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Date | null;
  event_id: string;
  event_type: string;
  data: Record<string, unknown>;
  occurred_at: Date;
};

/**
 * Claims up to `limit` due deliveries for this worker for `leaseMs`: FOR
 * UPDATE SKIP LOCKED, so replicas claiming at once never get the same row,
 * and a lease instead of a held transaction, so no connection waits on a
 * slow receiver (and a crashed worker's claim simply runs out). A delivery
 * is due only when no earlier event of its (webhook, subject) is still
 * pending: one subject's events go out strictly in order.
 */
export async function claimDeliveries(db: Knex, options: { limit: number; leaseMs: number }): Promise<ClaimedDelivery[]> {
  const { rows } = (await db.raw(
    `with claimed as (
      update webhook_deliveries d
      set leased_until = clock_timestamp() + ?::float8 * interval '1 millisecond', attempts = d.attempts + 1,
          last_attempt_at = now(), updated_at = now()
      from (
        select c.id from webhook_deliveries c
        where c.status = 'pending' and c.next_attempt_at <= now() and (c.leased_until is null or c.leased_until <= now())
          and exists (select 1 from webhooks w where w.id = c.webhook_id and w.enabled)
          and not exists (
            select 1 from webhook_deliveries p
            where p.webhook_id = c.webhook_id and p.subject = c.subject and p.status = 'pending' and p.event_id < c.event_id
          )
        order by c.next_attempt_at, c.event_id
        limit ?
        for update skip locked
      ) due
      where d.id = due.id
      returning d.id, d.attempts, d.leased_until, d.webhook_id, d.event_id
    )
    select c.id, c.attempts, c.leased_until::text as lease, w.url, w.secret, w.previous_secret, w.previous_secret_until,
           e.id as event_id, e.type as event_type, e.data, e.occurred_at
    from claimed c join webhooks w on w.id = c.webhook_id join webhook_events e on e.id = c.event_id
    order by e.id`,
    [options.leaseMs, options.limit],
  )) as { rows: ClaimedDelivery[] };
  return rows.map((row) => ({ ...row, event_id: String(row.event_id) }));
}

export type AttemptOutcome = OutboxOutcome;

/**
 * Records an attempt's outcome, only while the claim is still ours (same
 * lease): a worker that outlived its lease, or a delivery replayed
 * meanwhile, changes nothing.
 */
export async function recordAttempt(db: Knex, claim: Pick<ClaimedDelivery, 'id' | 'lease'>, outcome: AttemptOutcome): Promise<boolean> {
  const change = { ...attemptChange(db, outcome, 'status'), updated_at: db.fn.now() };
  const updated = await db('webhook_deliveries')
    .where({ id: claim.id, status: 'pending' })
    .andWhereRaw('leased_until = ?::timestamptz', [claim.lease])
    .update(change);
  return updated > 0;
}

export type DeliveryFilter = { status?: DeliveryStatus; eventType?: string };

/** One webhook's deliveries by creation time, keyset-paginated on (created_at, id). */
export async function listDeliveries(
  db: Knex,
  webhookId: string,
  options: DeliveryFilter & { limit: number; desc: boolean; after?: Position },
): Promise<{ rows: DeliveryRow[]; next: Position | null }> {
  const query = db('webhook_deliveries').select('*').where({ webhook_id: webhookId });
  if (options.status) query.andWhere({ status: options.status });
  if (options.eventType) query.andWhere({ event_type: options.eventType });
  keyset(query, db, { key: 'created_at', kind: 'timestamptz', id: 'id', idType: 'uuid', desc: options.desc }, options.after, options.limit);
  const { rows, next } = pageOf((await query) as Array<DeliveryRow & { keyset_key: string }>, options.limit, (row) => row.id);
  return { rows: rows.map((row) => ({ ...(row as DeliveryRow), event_id: String(row.event_id) })), next };
}

export async function findDelivery(db: Knex, webhookId: string, id: string): Promise<DeliveryRow | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = (await db('webhook_deliveries').where({ webhook_id: webhookId, id }).first()) as DeliveryRow | undefined;
  return row && { ...row, event_id: String(row.event_id) };
}

/**
 * Sends a finished delivery again (same webhook-id, so receivers can tell a
 * replay from a new event): back to pending, attempts from zero. 'pending'
 * when it is still being tried.
 */
export async function replayDelivery(db: Knex, webhookId: string, id: string): Promise<DeliveryRow | 'not_found' | 'pending'> {
  if (!UUID.test(id)) return 'not_found';
  const [row] = (await db('webhook_deliveries')
    .where({ webhook_id: webhookId, id })
    .whereNot({ status: 'pending' })
    .update({ status: 'pending', attempts: 0, next_attempt_at: db.fn.now(), leased_until: null, last_error: null, updated_at: db.fn.now() })
    .returning('*')) as DeliveryRow[];
  if (row) return { ...row, event_id: String(row.event_id) };
  return (await findDelivery(db, webhookId, id)) ? 'pending' : 'not_found';
}

/**
 * Delivers a stored event to a webhook, whether or not it was subscribed
 * when the event happened: a new delivery, or the existing one sent again.
 */
export async function replayEvent(db: Knex, webhookId: string, eventId: string): Promise<DeliveryRow | 'not_found' | 'pending'> {
  if (!/^[0-9]{1,18}$/.test(eventId)) return 'not_found';
  const { rows } = (await db.raw(
    `insert into webhook_deliveries (webhook_id, event_id, subject, event_type)
     select ?::uuid, e.id, e.subject, e.type from webhook_events e where e.id = ?::bigint
     on conflict (webhook_id, event_id) do update set
       status = 'pending', attempts = 0, next_attempt_at = now(), leased_until = null, last_error = null, updated_at = now()
       where webhook_deliveries.status <> 'pending'
     returning *`,
    [webhookId, eventId],
  )) as { rows: DeliveryRow[] };
  const row = rows[0];
  if (row) return { ...row, event_id: String(row.event_id) };
  const exists = await db('webhook_events').where({ id: eventId }).first('id');
  return exists ? 'pending' : 'not_found';
}
