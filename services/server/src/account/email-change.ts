import { isValidEmail, normalizeEmail } from '../accounts/email.ts';
import { consumeCode, normalizeCode, sendCode } from '../verification/codes.ts';
import { recordActorEvent } from '../events/actor.ts';
import { publishAfterCommit } from '../events/publish.ts';
import { t } from '../interactions/i18n/index.ts';
import { emailChangedMail } from '../mail/templates.ts';
import { auditActor, type AccountActor, type AccountDeps } from './deps.ts';
import { AccountError } from './errors.ts';
import { getProfile, type Profile } from './profile.ts';

/**
 * Changing the account's address, in two steps:
 *
 *   startEmailChange   mails a code to the NEW address; nothing changes yet.
 *                      The answer is the same whether or not another account
 *                      holds that address (no enumeration): the code goes out
 *                      either way, and only its confirmation can tell (409),
 *                      which needs that inbox.
 *   confirmEmailChange checks the code, then in one transaction switches the
 *                      address and marks it verified (409 when the address
 *                      was taken meanwhile: the unique index decides), with
 *                      an `email.changed` audit event. The OLD address is told.
 *
 * The code belongs to a flow of its own per account (`change-email:<user>`),
 * so neither a sign-in code nor another account's code for the same address
 * works here. Requests are limited like other code mail ('code-request' per
 * IP and address) and entries like other code entry ('code-entry').
 */

const flowOf = (userId: string) => `change-email:${userId}`;

export type EmailChangeStarted = { email: string; expires_at: Date };

function checkEmail(input: unknown): string {
  const email = normalizeEmail(input);
  if (!email) throw new AccountError('validation_failed', t('error.required', { field: t('field.email').toLowerCase() }), { field: 'email' });
  if (!isValidEmail(email)) throw new AccountError('validation_failed', t('error.email_invalid'), { field: 'email' });
  return email;
}

export async function startEmailChange(
  deps: Pick<AccountDeps, 'db' | 'keyring' | 'mailer' | 'config' | 'logger' | 'limiter'>,
  actor: AccountActor,
  newEmail: unknown,
): Promise<EmailChangeStarted> {
  const email = checkEmail(newEmail);
  const profile = await getProfile(deps, actor.userId);
  if (profile.email?.toLowerCase() === email.toLowerCase()) throw new AccountError('validation_failed', t('error.email_same'), { field: 'email' });
  const limit = await deps.limiter.consume('code-request', { ip: actor.ip, account: email.toLowerCase() });
  if (!limit.allowed) {
    throw new AccountError('rate_limited', t('error.rate_limited', { seconds: limit.retryAfterSeconds }), { retryAfterSeconds: limit.retryAfterSeconds });
  }
  const { expiresAt } = await sendCode(deps, { purpose: 'verify_email', email, userId: actor.userId, flowId: flowOf(actor.userId) });
  return { email, expires_at: expiresAt };
}

export async function confirmEmailChange(
  deps: Pick<AccountDeps, 'db' | 'store' | 'keyring' | 'mailer' | 'config' | 'logger' | 'limiter'>,
  actor: AccountActor,
  input: { email: unknown; code: unknown },
): Promise<Profile> {
  const email = checkEmail(input.email);
  const code = normalizeCode(input.code);
  if (!code) throw new AccountError('validation_failed', t('error.code_format'), { field: 'code' });

  const attempt = await deps.limiter.attempt('code-entry', { ip: actor.ip, account: email.toLowerCase() });
  if (!attempt.allowed) {
    throw new AccountError('rate_limited', t('error.rate_limited', { seconds: attempt.retryAfterSeconds }), { retryAfterSeconds: attempt.retryAfterSeconds });
  }
  const check = await consumeCode({ db: deps.db, keyring: deps.keyring, purpose: 'verify_email', target: email, flowId: flowOf(actor.userId), code }).catch(async (error: unknown) => {
    await attempt.cancel();
    throw error;
  });
  if (!check.ok || check.userId !== actor.userId) {
    await attempt.fail();
    const burned = !check.ok && check.reason === 'burned';
    throw new AccountError('validation_failed', t(burned ? 'error.code_burned' : 'error.code_invalid'), { field: 'code' });
  }
  await attempt.succeed();

  const knex = deps.db.knex;
  const changed = await knex.transaction(async (trx) => {
    const before = (await trx('users').where({ id: actor.userId, status: 'active' }).forUpdate().first('email')) as { email: string | null } | undefined;
    if (!before) throw new AccountError('not_found', 'no such account');
    await trx('users')
      .where({ id: actor.userId })
      .update({ email, email_verified: true, email_verified_at: trx.fn.now(), updated_at: trx.fn.now() })
      .catch((error: { code?: string; constraint?: string }) => {
        if (error?.code === '23505' && error.constraint === 'users_email_lower_key') {
          throw new AccountError('conflict', 'that email address belongs to another account', { field: 'email' });
        }
        throw error;
      });
    await recordActorEvent(trx, auditActor(actor), { type: 'email.changed', subjectUserId: actor.userId, data: { from: before.email, to: email } });
    publishAfterCommit(trx, deps.store, 'user:updated', { userId: actor.userId });
    return { oldEmail: before.email };
  });

  if (changed.oldEmail && changed.oldEmail.toLowerCase() !== email.toLowerCase()) {
    const mail = emailChangedMail({ brand: deps.config.brand, to: changed.oldEmail, oldEmail: changed.oldEmail, newEmail: email });
    deps.mailer.send(mail).catch((err: unknown) => {
      const { code: errorCode, responseCode } = (err ?? {}) as { code?: string; responseCode?: number };
      deps.logger.error({ errorCode, responseCode }, 'could not send email-changed notice');
    });
  }
  return getProfile(deps, actor.userId);
}
