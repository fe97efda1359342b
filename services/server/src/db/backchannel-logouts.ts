import type { Knex } from 'knex';
import { attemptChange, type OutboxOutcome } from '../outbox/outcome.ts';

/**
 * The back-channel logout outbox (migration 20261201000020). Trust comes
 * from who set the URI: 'operator' when it is the one an operator set with
 * the CLI or admin API (kept in metadata.operator_backchannel_logout_uri,
 * which dynamic registration can neither see nor keep), else 'client'.
 */
const TRUST = `case when c.metadata ->> 'operator_backchannel_logout_uri' = c.metadata ->> 'backchannel_logout_uri' then 'operator' else 'client' end`;
// oidc-provider puts sid in ID tokens only for clients that require it (and so in their logout tokens).
const SID = (sid: string) => `case when (c.metadata ->> 'backchannel_logout_session_required')::boolean then ${sid} end`;

/** One row per client of the session (uid) with a back-channel logout URI; in the transaction that ends it. */
export async function enqueueSessionLogouts(trx: Knex, sessionUid: string): Promise<number> {
  const { rows } = (await trx.raw(
    `insert into backchannel_logouts (client_id, account_id, sid, url, trust)
     select c.id, s.payload ->> 'accountId', ${SID(`a.value ->> 'sid'`)}, c.metadata ->> 'backchannel_logout_uri', ${TRUST}
     from sessions s
     cross join lateral jsonb_each(case when jsonb_typeof(s.payload -> 'authorizations') = 'object' then s.payload -> 'authorizations' else '{}'::jsonb end) a
     join clients c on c.id = a.key
     where s.uid = ? and s.payload ->> 'accountId' is not null and coalesce(c.metadata ->> 'backchannel_logout_uri', '') <> ''
     returning id`,
    [sessionUid],
  )) as { rows: unknown[] };
  return rows.length;
}

/** One client's logout (RP-initiated logout names the clients it ends one by one). */
export async function enqueueClientLogout(db: Knex, input: { clientId: string; accountId: string; sid: string | undefined }): Promise<number> {
  const { rows } = (await db.raw(
    `insert into backchannel_logouts (client_id, account_id, sid, url, trust)
     select c.id, ?, ${SID('?')}, c.metadata ->> 'backchannel_logout_uri', ${TRUST}
     from clients c where c.id = ? and coalesce(c.metadata ->> 'backchannel_logout_uri', '') <> ''
     returning id`,
    [input.accountId, input.sid ?? null, input.clientId],
  )) as { rows: unknown[] };
  return rows.length;
}

export type ClaimedLogout = { id: string; client_id: string; account_id: string; sid: string | null; url: string; trust: 'client' | 'operator'; attempts: number; created_at: Date; lease: string };

/** Claims due rows for `leaseMs` (FOR UPDATE SKIP LOCKED, as the webhook outbox). */
export async function claimLogouts(db: Knex, options: { limit: number; leaseMs: number }): Promise<ClaimedLogout[]> {
  const { rows } = (await db.raw(
    `update backchannel_logouts b
     set leased_until = clock_timestamp() + ?::float8 * interval '1 millisecond', attempts = b.attempts + 1
     from (
       select id from backchannel_logouts
       where status = 'pending' and next_attempt_at <= now() and (leased_until is null or leased_until <= now())
       order by next_attempt_at limit ? for update skip locked
     ) due
     where b.id = due.id
     returning b.id, b.client_id, b.account_id, b.sid, b.url, b.trust, b.attempts, b.created_at, b.leased_until::text as lease`,
    [options.leaseMs, options.limit],
  )) as { rows: ClaimedLogout[] };
  return rows;
}

/** Records an attempt, only while the claim is still ours (same lease). */
export async function recordLogoutAttempt(db: Knex, claim: Pick<ClaimedLogout, 'id' | 'lease'>, outcome: OutboxOutcome): Promise<void> {
  const change = attemptChange(db, outcome, 'status');
  await db('backchannel_logouts').where({ id: claim.id, status: 'pending' }).andWhereRaw('leased_until = ?::timestamptz', [claim.lease]).update(change);
}

/** Delivered and failed rows older than `days` go. */
export async function purgeLogouts(db: Knex, days: number): Promise<void> {
  await db('backchannel_logouts').whereNot({ status: 'pending' }).andWhereRaw(`created_at < now() - ?::int * interval '1 day'`, [days]).delete();
}
