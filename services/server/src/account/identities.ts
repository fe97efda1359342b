import type { Knex } from 'knex';
import { waysIn } from '../accounts/ways-in.ts';
import { deleteLinkedIdentity, listLinkedIdentities } from '../db/auth-providers.ts';
import { recordAuditEvent } from '../events/audit.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import type { SignInMethod } from '../interactions/method.ts';
import { enrolledFactors } from '../interactions/pending-login.ts';
import { auditActor, type AccountActor } from './deps.ts';
import { AccountError } from './errors.ts';

/**
 * The owner's linked social identities (auth_providers): list and unlink.
 * Linking needs the browser (the upstream's consent), so it lives with the
 * social routes; the console and the account API both call these.
 */

export type LinkedIdentity = {
  id: string;
  /** The upstream's id: github, google, apple, or a generic upstream's lower-cased name. */
  provider: string;
  email: string | null;
  linked_at: Date;
  last_used_at: Date | null;
};

type Deps = { db: { knex: Knex }; methods: readonly SignInMethod[] };

export async function listIdentities(deps: { db: { knex: Knex } }, userId: string): Promise<LinkedIdentity[]> {
  return (await listLinkedIdentities(deps.db.knex, userId)).map((row) => ({
    id: row.id,
    provider: row.type,
    email: row.email,
    linked_at: row.linked_at,
    last_used_at: row.last_used_at,
  }));
}

/**
 * Unlinks one identity, refused when the account would be left with no way
 * in. The account row is locked first, so two unlinks at once (of the last
 * two identities) cannot both see the other still there. An account with a
 * second factor must show a recent two-factor sign-in (`recentSecondFactor`:
 * the console checks it with console/step-up.ts; an API token cannot show one).
 */
export async function unlinkIdentity(deps: Deps, actor: AccountActor, id: string, options: { recentSecondFactor: boolean }): Promise<void> {
  const hasSecondFactor = async () => (await enrolledFactors(deps as unknown as InteractionDeps, actor.userId)).length > 0;
  await deps.db.knex.transaction(async (trx) => {
    await trx('users').where({ id: actor.userId }).forUpdate().first('id');
    const removed = await deleteLinkedIdentity(trx, actor.userId, id);
    if (!removed) throw new AccountError('not_found', 'no such linked account');
    if (!options.recentSecondFactor && (await hasSecondFactor())) {
      throw new AccountError('forbidden', 'unlinking needs a recent two-step sign-in: unlink it in the account console');
    }
    if ((await waysIn({ db: { knex: trx }, methods: deps.methods }, actor.userId)).length === 0) {
      throw new AccountError('conflict', 'this is the only way you can sign in: set a password or link another account first');
    }
    await recordAuditEvent(trx, {
      type: 'identity.unlinked',
      ...auditActor(actor),
      subjectUserId: actor.userId,
      data: { provider: removed.type, identity_id: removed.id },
    });
  });
}
