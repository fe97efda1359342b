import type { Knex } from 'knex';
import { enqueueSessionLogoutsAndWake } from '../backchannel/wake.ts';
import { recordActorEvent, type Actor } from '../events/actor.ts';
import type { EventChannels } from '../events/publish.ts';
import type { Store } from '../store/index.ts';
import { listUserSessions, revokeSessionRow } from './rows.ts';
import { markRevoked } from './validity.ts';

/**
 * Revokes a browser session by its id (the uid). Postgres first, with its
 * audit event in the same transaction: from the commit on, the adapter finds
 * no such session on any replica. Then, awaited so the caller's next check
 * already sees it, the `session:valid` tombstone and a `session:revoked`
 * message. False when there is no such live session.
 */
export async function revokeSession(
  deps: { knex: Knex; store: Store },
  sessionId: string,
  reason: string,
  actor: Actor = { actorType: 'system' },
): Promise<boolean> {
  const row = await deps.knex.transaction(async (trx) => {
    const revoked = await revokeSessionRow(trx, sessionId, reason.slice(0, 200));
    if (revoked) {
      // Its clients' back-channel logouts exist exactly when the revocation does.
      await enqueueSessionLogoutsAndWake(trx, revoked.uid);
      await recordActorEvent(trx, actor, {
        type: 'session.revoked',
        subject: { type: 'session', id: revoked.uid },
        data: { reason, ...(revoked.userId ? { userId: revoked.userId } : {}) },
      });
    }
    return revoked;
  });
  if (!row) return false;
  // The store may be lost by design; Postgres already refuses the session.
  await markRevoked(deps.store, row.uid).catch(() => {});
  const message: EventChannels['session:revoked'] = { sessionId: row.uid, userId: row.userId, reason };
  await deps.store.publish('session:revoked', JSON.stringify(message)).catch(() => {});
  return true;
}

/** Ends every live session of a user, e.g. after a password reset: whoever knew the old password is signed out everywhere. */
export async function revokeUserSessions(
  deps: { knex: Knex; store: Store },
  userId: string,
  reason: string,
  actor?: Actor,
): Promise<number> {
  let revoked = 0;
  for (const session of await listUserSessions(deps.knex, userId)) {
    if (!session.revoked_at && (await revokeSession(deps, session.id, reason, actor))) revoked += 1;
  }
  return revoked;
}
