import { recordActorEvent } from '../events/actor.ts';
import { publishAfterCommit } from '../events/publish.ts';
import { t } from '../interactions/i18n/index.ts';
import { hashPassword, verifyPassword } from '../password/hash.ts';
import { passwordProblemMessage } from '../password/messages.ts';
import { PASSWORD_MAX_LENGTH } from '../password/params.ts';
import { checkPassword, passwordLength } from '../password/policy.ts';
import { auditActor, type AccountActor, type AccountDeps } from './deps.ts';
import { AccountError } from './errors.ts';
import { revokeOtherSessions } from './sessions.ts';

/**
 * The owner sets a new password. When the account has one, the current
 * password is required: a stolen access token alone must not be enough to
 * take the account over. Wrong current passwords count against the same
 * 'sign-in' failure limit as the sign-in form (per address and IP), so the
 * endpoint is no side door for guessing. The new password follows the
 * policy (src/password/policy.ts) and is stored as argon2id.
 *
 * Afterwards every OTHER browser session of the account is revoked
 * (whoever knew the old password is signed out); `keepSessionId` is the
 * session the change came from, if any.
 */
export type PasswordChange = { currentPassword?: unknown; newPassword: unknown; keepSessionId?: string };

export async function changePassword(
  deps: Pick<AccountDeps, 'db' | 'store' | 'limiter'>,
  actor: AccountActor,
  input: PasswordChange,
): Promise<{ sessions_revoked: number }> {
  const knex = deps.db.knex;
  const user = (await knex('users').where({ id: actor.userId, status: 'active' }).first('email', 'password_hash')) as
    | { email: string | null; password_hash: string | null }
    | undefined;
  if (!user) throw new AccountError('not_found', 'no such account');

  const password = typeof input.newPassword === 'string' ? input.newPassword : '';
  if (!password) throw new AccountError('validation_failed', t('error.required', { field: t('field.new_password').toLowerCase() }), { field: 'new_password' });
  const problem = checkPassword(password, { email: user.email ?? undefined });
  if (problem) throw new AccountError('validation_failed', passwordProblemMessage(problem), { field: 'new_password' });

  if (user.password_hash) {
    const current = typeof input.currentPassword === 'string' ? input.currentPassword : '';
    if (!current) throw new AccountError('validation_failed', t('error.current_password_required'), { field: 'current_password' });
    const attempt = await deps.limiter.attempt('sign-in', { ip: actor.ip, account: (user.email ?? actor.userId).toLowerCase() });
    if (!attempt.allowed) {
      throw new AccountError('rate_limited', t('error.rate_limited', { seconds: attempt.retryAfterSeconds }), { retryAfterSeconds: attempt.retryAfterSeconds });
    }
    // Over-long input is wrong by definition; never hand argon2 megabytes.
    const right = passwordLength(current) <= PASSWORD_MAX_LENGTH && (await verifyPassword(user.password_hash, current));
    if (!right) {
      await attempt.fail();
      throw new AccountError('validation_failed', t('error.current_password_wrong'), { field: 'current_password' });
    }
    await attempt.succeed();
  }

  const passwordHash = await hashPassword(password);
  const changed = await knex.transaction(async (trx) => {
    // Unchanged hash as a guard: a parallel change in between makes this one lose instead of silently overwriting it.
    const query = trx('users').where({ id: actor.userId, status: 'active' });
    if (user.password_hash) query.where({ password_hash: user.password_hash });
    else query.whereNull('password_hash');
    const rows = Number(await query.update({ password_hash: passwordHash, failed_sign_in_count: 0, updated_at: trx.fn.now() }));
    if (!rows) return false;
    await recordActorEvent(trx, auditActor(actor), { type: 'password.changed', subjectUserId: actor.userId, data: { first: !user.password_hash } });
    publishAfterCommit(trx, deps.store, 'user:updated', { userId: actor.userId });
    return true;
  });
  if (!changed) throw new AccountError('conflict', 'the password was changed at the same time; try again');
  const sessionsRevoked = await revokeOtherSessions(deps, actor, input.keepSessionId ?? null, 'password_changed');
  return { sessions_revoked: sessionsRevoked };
}
