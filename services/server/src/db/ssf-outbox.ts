import type { Knex } from 'knex';
import { attemptChange, type OutboxOutcome } from '../outbox/outcome.ts';
import type { OutboxEvent } from '../signals/event-record.ts';

/** One security event on its way to one stream, with what signing it takes. */
export type PendingSet = {
  id: string;
  stream_id: string;
  jti: string;
  event_type: string;
  event: OutboxEvent;
  txn: string | null;
  attempts: number;
  occurred_at: Date;
  aud: string;
  /** The subject the receiver added this person with, if it did (its format wins for account events). */
  added_subject: Record<string, unknown> | null;
};

export type ClaimedSet = PendingSet & { lease: string; endpoint_url: string; authorization_header: string | null };

// The subject row is joined by the person the event is about, when there is one.
const SUBJECT_JOIN = `left join ssf_stream_subjects x on x.stream_id = o.stream_id and not x.removed
  and x.user_id = case when o.event->'subject'->>'userId' is null then null else (o.event->'subject'->>'userId')::uuid end`;

/**
 * Adds `event` to the outbox of every stream that should get it, in `db`'s
 * transaction: streams not disabled (a paused stream keeps its events),
 * that deliver this type, and whose receiver has not removed the person.
 * Returns the streams that got it.
 */
export async function enqueueForStreams(db: Knex, event: OutboxEvent, txn: string): Promise<string[]> {
  const userId = event.subject.userId ?? null;
  const { rows } = (await db.raw(
    `insert into ssf_outbox (stream_id, jti, event_type, event, txn)
     select s.id, gen_random_uuid()::text, ?, ?::jsonb, ? from ssf_streams s
     where s.status <> 'disabled' and ? = any (s.events_delivered)
       and (?::uuid is null or not exists (select 1 from ssf_stream_subjects x where x.stream_id = s.id and x.user_id = ?::uuid and x.removed))
     returning stream_id`,
    [event.type, JSON.stringify(event), txn, event.type, userId, userId],
  )) as { rows: Array<{ stream_id: string }> };
  return rows.map((row) => row.stream_id);
}

/** Adds an event for one stream only (verification, stream-updated). */
export async function enqueueForStream(db: Knex, streamId: string, event: OutboxEvent, txn: string | null): Promise<void> {
  await db.raw(`insert into ssf_outbox (stream_id, jti, event_type, event, txn) values (?, gen_random_uuid()::text, ?, ?::jsonb, ?)`, [
    streamId,
    event.type,
    JSON.stringify(event),
    txn,
  ]);
}

const normalise = <T extends { id: unknown }>(row: T) => ({ ...row, id: String(row.id) });

/**
 * Claims due events of enabled push streams for `leaseMs`, FOR UPDATE SKIP
 * LOCKED: replicas never claim the same row, and a worker that dies leaves
 * its claim to run out (the jti stays, so a receiver can deduplicate).
 */
export async function claimPushSets(db: Knex, options: { limit: number; leaseMs: number }): Promise<ClaimedSet[]> {
  const { rows } = (await db.raw(
    `with claimed as (
      update ssf_outbox u set leased_until = clock_timestamp() + ?::float8 * interval '1 millisecond', attempts = u.attempts + 1
      from (
        select c.id from ssf_outbox c join ssf_streams s on s.id = c.stream_id
        where c.state = 'pending' and c.next_attempt_at <= now() and (c.leased_until is null or c.leased_until <= now())
          and s.status = 'enabled' and s.delivery_method = 'urn:ietf:rfc:8935'
        order by c.id
        limit ?
        for update of c skip locked
      ) due
      where u.id = due.id
      returning u.*
    )
    select o.id, o.stream_id, o.jti, o.event_type, o.event, o.txn, o.attempts, o.occurred_at, o.leased_until::text as lease,
           s.aud, s.endpoint_url, s.authorization_header, x.subject as added_subject
    from claimed o join ssf_streams s on s.id = o.stream_id ${SUBJECT_JOIN}
    order by o.id`,
    [options.leaseMs, options.limit],
  )) as { rows: ClaimedSet[] };
  return rows.map(normalise);
}

export type PushOutcome = OutboxOutcome;

/** Records an attempt, only while the claim is still ours (same lease). */
export async function recordPushAttempt(db: Knex, claim: Pick<ClaimedSet, 'id' | 'lease'>, outcome: PushOutcome): Promise<void> {
  const change = attemptChange(db, outcome, 'state');
  await db('ssf_outbox').where({ id: claim.id, state: 'pending' }).andWhereRaw('leased_until = ?::timestamptz', [claim.lease]).update(change);
}

/** The oldest unacknowledged events of a poll stream (RFC 8936: they stay until acknowledged). */
export async function pendingSets(db: Knex, streamId: string, limit: number): Promise<{ sets: PendingSet[]; more: boolean }> {
  const { rows } = (await db.raw(
    `select o.id, o.stream_id, o.jti, o.event_type, o.event, o.txn, o.attempts, o.occurred_at, s.aud, x.subject as added_subject
     from ssf_outbox o join ssf_streams s on s.id = o.stream_id ${SUBJECT_JOIN}
     where o.stream_id = ? and o.state = 'pending'
     order by o.id
     limit ?`,
    [streamId, limit + 1],
  )) as { rows: PendingSet[] };
  return { sets: rows.slice(0, limit).map(normalise), more: rows.length > limit };
}

/** Acknowledges events of this stream by jti; unknown or already acknowledged ones change nothing. */
export async function acknowledgeSets(db: Knex, streamId: string, jtis: readonly string[]): Promise<void> {
  if (jtis.length === 0) return;
  await db('ssf_outbox').where({ stream_id: streamId, state: 'pending' }).whereIn('jti', jtis).update({ state: 'acknowledged', acknowledged_at: db.fn.now() });
}

/** A receiver reported it could not process these (RFC 8936 setErrs): they are not sent again. */
export async function rejectSets(db: Knex, streamId: string, errors: Record<string, string>): Promise<void> {
  for (const [jti, error] of Object.entries(errors).slice(0, 1000)) {
    await db('ssf_outbox').where({ stream_id: streamId, jti, state: 'pending' }).update({ state: 'failed', last_error: error.slice(0, 500) });
  }
}

/** Deletes events older than `days` days, whatever became of them. */
export async function purgeSets(db: Knex, days: number): Promise<void> {
  await db('ssf_outbox').whereRaw(`occurred_at < now() - ?::float8 * interval '1 day'`, [days]).delete();
}
