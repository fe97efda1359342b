import type { Knex } from 'knex';
import { outboxCtes } from '../db/webhook-events.ts';
import type { ParsedUserAgent } from './user-agent.ts';

/**
 * The `sessions` table as oidc-provider's Session model sees it, plus what a
 * person sees in a session list. Rows are keyed for the adapter by `id` (the
 * session cookie's value, which oidc-provider rotates at every sign-in) but
 * a session's identity is its `uid`, which never changes: an id rotation
 * (destroy old id, save new id) lands on the same row, so revocation, IP,
 * user agent and created_at survive it. Each function is one statement.
 */

export type SessionPayload = Record<string, unknown>;

export type SessionClient = { ip: string | null; userAgent: string | null } & ParsedUserAgent;

export type SavedSession = { uid: string; userId: string | null; signedIn: boolean };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// A sign-in is a change of loginTs; only then are the client details rewritten.
const SIGNED_IN = `excluded.payload -> 'loginTs' is distinct from s.payload -> 'loginTs'`;

// A sign-in also writes its session.created webhook event to the outbox, in
// this same statement (every request re-saves the session: no extra round trip).
const UPSERT = `with previous as (select payload -> 'loginTs' as login_ts from sessions where uid = ?),
  saved as (insert into sessions as s (id, payload, expires_at, uid, user_id, ip, user_agent, browser, os, device)
  values (?, ?::jsonb, now() + ?::float8 * interval '1 second', ?, (select id from users where id = ?::uuid), ?, ?, ?, ?, ?)
  on conflict (uid) do update set
    id = excluded.id,
    payload = excluded.payload,
    expires_at = excluded.expires_at,
    user_id = excluded.user_id,
    -- Revocation is sticky; an id rotation brings an ended row back.
    status = case when s.revoked_at is null then 'active' else s.status end,
    -- Activity is written at most once a minute (every request re-saves the session).
    last_activity_at = case when ${SIGNED_IN} or s.last_activity_at <= now() - interval '1 minute' then now() else s.last_activity_at end,
    ip = case when ${SIGNED_IN} then coalesce(excluded.ip, s.ip) else s.ip end,
    user_agent = case when ${SIGNED_IN} then coalesce(excluded.user_agent, s.user_agent) else s.user_agent end,
    browser = case when ${SIGNED_IN} then coalesce(excluded.browser, s.browser) else s.browser end,
    os = case when ${SIGNED_IN} then coalesce(excluded.os, s.os) else s.os end,
    device = case when ${SIGNED_IN} then coalesce(excluded.device, s.device) else s.device end
  returning s.uid, s.user_id, s.ip, s.browser, s.os, s.device,
    (s.payload -> 'loginTs') is not null and (s.payload -> 'loginTs') is distinct from (select login_ts from previous) as signed_in),
  ${outboxCtes(`select 'session.created', user_id::text,
    jsonb_build_object('session_id', uid, 'user_id', user_id, 'ip', ip, 'browser', browser, 'os', os, 'device', device)
    from saved where signed_in and user_id is not null`)}
  select uid, user_id, signed_in from saved`;

export async function upsertSession(
  knex: Knex,
  id: string,
  payload: SessionPayload,
  expiresIn: number | undefined,
  client: SessionClient | undefined,
): Promise<SavedSession> {
  const uid = String(payload.uid);
  const accountId = typeof payload.accountId === 'string' && UUID.test(payload.accountId) ? payload.accountId : null;
  const ttl = typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? expiresIn : null;
  const bindings = [
    uid,
    id,
    JSON.stringify(payload),
    ttl,
    uid,
    accountId,
    client?.ip ?? null,
    client?.userAgent ?? null,
    client?.browser ?? null,
    client?.os ?? null,
    client?.device ?? null,
  ];
  type Row = { uid: string; user_id: string | null; signed_in: boolean };
  const save = async () => ((await knex.raw(UPSERT, bindings)) as { rows: Row[] }).rows;
  // ON CONFLICT arbitrates only `uid`: two parallel first saves of one
  // session (same id and uid) can trip the primary key instead. The second
  // attempt sees the committed row and takes the update path.
  const rows = await save().catch((error: { code?: string; constraint?: string }) => {
    if (error?.code === '23505' && error.constraint === 'sessions_pkey') return save();
    throw error;
  });
  const row = rows[0]!;
  return { uid: row.uid, userId: row.user_id, signedIn: row.signed_in && row.user_id !== null };
}

const LIVE = `(expires_at is null or expires_at > now()) and revoked_at is null and status = 'active'`;

/** A live session's payload by cookie id or by uid; undefined when missing, expired, ended or revoked. */
export async function findSession(knex: Knex, value: string, by: 'id' | 'uid'): Promise<SessionPayload | undefined> {
  const { rows } = (await knex.raw(`select payload from sessions where ${by === 'id' ? 'id' : 'uid'} = ? and ${LIVE}`, [value])) as {
    rows: Array<{ payload: SessionPayload }>;
  };
  return rows[0]?.payload;
}

/**
 * oidc-provider's destroy: logout, or the first half of an id rotation. The
 * row is ended rather than deleted so a rotation's save finds it again; the
 * purge job deletes it once expired.
 */
export async function endSession(knex: Knex, id: string): Promise<{ uid: string } | undefined> {
  const { rows } = (await knex.raw(`update sessions set status = 'ended' where id = ? and status = 'active' returning uid`, [id])) as {
    rows: Array<{ uid: string }>;
  };
  return rows[0];
}

/** Marks a session revoked (sticky); undefined when there is no such session or it was already revoked. */
export async function revokeSessionRow(knex: Knex, uid: string, reason: string): Promise<{ uid: string; userId: string | null } | undefined> {
  const { rows } = (await knex.raw(
    `update sessions set revoked_at = now(), status = 'revoked', revoked_reason = ? where uid = ? and revoked_at is null returning uid, user_id`,
    [reason, uid],
  )) as { rows: Array<{ uid: string; user_id: string | null }> };
  const row = rows[0];
  return row ? { uid: row.uid, userId: row.user_id } : undefined;
}

/** Whether the session with this uid may still be used (the truth behind the session:valid cache). */
export async function isSessionLive(knex: Knex, uid: string): Promise<boolean> {
  const { rows } = (await knex.raw(`select 1 from sessions where uid = ? and ${LIVE}`, [uid])) as { rows: unknown[] };
  return rows.length > 0;
}

export type SessionSummary = {
  id: string;
  status: string;
  browser: string | null;
  os: string | null;
  device: string | null;
  ip: string | null;
  created_at: Date;
  last_activity_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
};

/** A user's unexpired sessions, most recently active first. `id` is the uid (never the cookie value). */
export async function listUserSessions(knex: Knex, userId: string): Promise<SessionSummary[]> {
  return knex('sessions')
    .select(
      'uid as id',
      'status',
      'browser',
      'os',
      'device',
      'ip',
      'created_at',
      'last_activity_at',
      'expires_at',
      'revoked_at',
      'revoked_reason',
    )
    .where({ user_id: userId })
    .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', knex.fn.now()))
    .orderBy('last_activity_at', 'desc');
}
