import type { Knex } from 'knex';
import { revokeUserGrants } from '../db/oidc-models.ts';
import { updateUserStanding, type UserStanding } from '../db/users.ts';
import { recordActorEvent, type Actor } from '../events/actor.ts';
import type { AuditEventType } from '../events/audit.ts';
import { publishAfterCommit } from '../events/publish.ts';
import { revokeUserSessions } from '../sessions/revoke.ts';
import type { Store } from '../store/index.ts';

/**
 * An account's standing: block, unblock, delete (kept as a row, status
 * 'deleted', for the audit trail), lock until a time, unlock. Whatever takes
 * the account out of use also revokes its browser sessions and its grants
 * (access and refresh tokens, authorization and device codes) on every
 * replica at once: Postgres decides, the session cache gets tombstones and
 * `session:revoked` / `user:updated` tell the listeners. Callers are the CLI
 * now and the admin API later, so nothing here knows about either.
 */

export type StatusDeps = { knex: Knex; store: Store };

export type StatusChange =
  | { action: 'block' }
  | { action: 'unblock' }
  | { action: 'delete' }
  | { action: 'lock'; until: Date }
  | { action: 'unlock' };

export type StatusOptions = { actor: Actor; reason?: string };

export type StatusResult =
  | { ok: true; user: UserStanding; sessionsRevoked: number; grantsRevoked: number }
  /** `deleted`: deletion is final, nothing changes a deleted account. `until_past`: a lock must end in the future. */
  | { ok: false; problem: 'not_found' | 'deleted' | 'until_past' };

const EVENT: Record<StatusChange['action'], AuditEventType> = {
  block: 'user.blocked',
  unblock: 'user.unblocked',
  delete: 'user.deleted',
  lock: 'user.locked',
  unlock: 'user.unlocked',
};

/** The session's revoked_reason and the grants event's reason, per change that ends access. */
const ENDS_ACCESS: Partial<Record<StatusChange['action'], string>> = {
  block: 'account_blocked',
  delete: 'account_deleted',
  lock: 'account_locked',
};

const REASON_MAX = 200;

export async function changeAccountStatus(deps: StatusDeps, userId: string, change: StatusChange, options: StatusOptions): Promise<StatusResult> {
  if (change.action === 'lock' && !(change.until.getTime() > Date.now())) return { ok: false, problem: 'until_past' };
  const endsAccess = ENDS_ACCESS[change.action];
  const reason = options.reason?.slice(0, REASON_MAX);
  const fields =
    change.action === 'block' ? { status: 'blocked' as const }
    : change.action === 'unblock' ? { status: 'active' as const }
    : change.action === 'delete' ? { status: 'deleted' as const }
    : change.action === 'lock' ? { lockedUntil: change.until }
    : { lockedUntil: null };

  // The status and the grants change in one transaction with their events:
  // from the commit on, no replica accepts the account's tokens or codes.
  type Changed = { user: UserStanding; grantsRevoked: number } | { problem: 'not_found' | 'deleted' };
  const changed = await deps.knex.transaction(async (trx): Promise<Changed> => {
    const user = await updateUserStanding(trx, userId, fields);
    if (!user) return { problem: (await trx('users').where({ id: userId }).first('id')) ? 'deleted' : 'not_found' };
    await recordActorEvent(trx, options.actor, {
      type: EVENT[change.action],
      subjectUserId: user.id,
      data: {
        ...(reason ? { reason } : {}),
        ...(change.action === 'lock' ? { until: change.until.toISOString() } : {}),
      },
    });
    const grantsRevoked = endsAccess ? await revokeGrantsIn(trx, userId, { actor: options.actor, reason: endsAccess }) : 0;
    publishAfterCommit(trx, deps.store, 'user:updated', { userId: user.id });
    return { user, grantsRevoked };
  });
  if ('problem' in changed) return { ok: false, problem: changed.problem };
  // Each session goes with its own event, tombstone and message (sessions/revoke.ts).
  const sessionsRevoked = endsAccess ? await revokeUserSessions(deps, userId, endsAccess, options.actor) : 0;
  return { ok: true, user: changed.user, sessionsRevoked, grantsRevoked: changed.grantsRevoked };
}

export type GrantRevocation = { actor: Actor; clientId?: string; reason?: string };

/**
 * Revokes a user's grants (all, or those at one client) with everything they
 * issued, and records one `grant.revoked` event. Browser sessions stay; an
 * app that asks again gets the consent page again. Returns how many grants.
 */
export async function revokeGrants(deps: Pick<StatusDeps, 'knex'>, userId: string, options: GrantRevocation): Promise<number> {
  return deps.knex.transaction((trx) => revokeGrantsIn(trx, userId, options));
}

/**
 * The account owner revokes their own grants (the account API builds on
 * this): e.g. the refresh tokens a logout leaves, or one app's access.
 */
export function revokeOwnGrants(
  deps: Pick<StatusDeps, 'knex'>,
  userId: string,
  options: { clientId?: string; ip?: string; userAgent?: string } = {},
): Promise<number> {
  const { clientId, ip, userAgent } = options;
  return revokeGrants(deps, userId, { clientId, actor: { actorUserId: userId, ip, userAgent }, reason: 'revoked_by_user' });
}

async function revokeGrantsIn(trx: Knex, userId: string, options: GrantRevocation): Promise<number> {
  const grants = await revokeUserGrants(trx, userId, options.clientId);
  await recordActorEvent(trx, options.actor, {
    type: 'grant.revoked',
    subjectUserId: userId,
    // The grants' app, when one; never the app the actor came through.
    clientId: options.clientId,
    data: { grants, ...(options.reason ? { reason: options.reason.slice(0, REASON_MAX) } : {}) },
  });
  return grants;
}
