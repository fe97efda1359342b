import { revokeSession } from '../sessions/revoke.ts';
import { listUserSessions } from '../sessions/rows.ts';
import { auditActor, type AccountActor, type AccountDeps } from './deps.ts';
import { AccountError } from './errors.ts';

/**
 * The owner's browser sessions: list (browser, OS, device, IP, last
 * activity; the one the caller uses marked `current`), revoke one, revoke
 * every other. Revocation is sessions/revoke.ts's: Postgres first with a
 * `session.revoked` event, then the tombstone every replica checks.
 *
 * Which session is "current" is the caller's to say: the console knows its
 * own; an API call knows one only if its token names one (see src/api/me/sessions.ts).
 */

export type AccountSession = {
  id: string;
  browser: string | null;
  os: string | null;
  device: string | null;
  ip: string | null;
  created_at: Date;
  last_activity_at: Date;
  expires_at: Date | null;
  current: boolean;
};

export async function listSessions(deps: Pick<AccountDeps, 'db'>, userId: string, currentSessionId?: string | null): Promise<AccountSession[]> {
  const rows = await listUserSessions(deps.db.knex, userId);
  return rows
    .filter((row) => row.status === 'active' && !row.revoked_at)
    .map((row) => ({
      id: row.id,
      browser: row.browser,
      os: row.os,
      device: row.device,
      ip: row.ip,
      created_at: row.created_at,
      last_activity_at: row.last_activity_at,
      expires_at: row.expires_at,
      current: row.id === currentSessionId,
    }));
}

/** Whether `sessionId` is one of the user's live sessions (anyone else's is "not found", never "forbidden"). */
async function ownsLiveSession(deps: Pick<AccountDeps, 'db'>, userId: string, sessionId: string): Promise<boolean> {
  return (await listSessions(deps, userId)).some((session) => session.id === sessionId);
}

export async function revokeOwnSession(deps: Pick<AccountDeps, 'db' | 'store'>, actor: AccountActor, sessionId: string): Promise<void> {
  if (!(await ownsLiveSession(deps, actor.userId, sessionId))) throw new AccountError('not_found', 'no such session');
  const revoked = await revokeSession({ knex: deps.db.knex, store: deps.store }, sessionId, 'revoked_by_user', auditActor(actor));
  // Revoked by someone else between the two statements: the outcome the owner asked for, but not this call's doing.
  if (!revoked) throw new AccountError('not_found', 'no such session');
}

/**
 * Revokes every live session of the user but `keepSessionId` (all of them
 * when it is null). Returns how many. No check that the kept one exists:
 * callers that take it from outside use signOutOtherSessions.
 */
export async function revokeOtherSessions(
  deps: Pick<AccountDeps, 'db' | 'store'>,
  actor: AccountActor,
  keepSessionId: string | null,
  reason = 'revoked_by_user',
): Promise<number> {
  let revoked = 0;
  for (const session of await listSessions(deps, actor.userId)) {
    if (session.id === keepSessionId) continue;
    if (await revokeSession({ knex: deps.db.knex, store: deps.store }, session.id, reason, auditActor(actor))) revoked += 1;
  }
  return revoked;
}

/** "Sign out everywhere else": the kept session must be one of the user's live sessions (404 otherwise). */
export async function signOutOtherSessions(deps: Pick<AccountDeps, 'db' | 'store'>, actor: AccountActor, keepSessionId: string): Promise<{ revoked: number }> {
  if (!(await ownsLiveSession(deps, actor.userId, keepSessionId))) throw new AccountError('not_found', 'no such session', { field: 'keep_session_id' });
  return { revoked: await revokeOtherSessions(deps, actor, keepSessionId) };
}
