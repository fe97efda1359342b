import type { AccountActor, AccountDeps } from '../account/deps.ts';
import { auditActor } from '../account/deps.ts';
import { AccountError } from '../account/errors.ts';
import { waysIn } from '../accounts/ways-in.ts';
import { clearPhone, getPhone, setVerifiedPhone } from '../db/phones.ts';
import { recordActorEvent } from '../events/actor.ts';
import { publishAfterCommit } from '../events/publish.ts';
import { t } from '../interactions/i18n/index.ts';
import type { SignInMethod } from '../interactions/method.ts';
import { sendSmsCode } from '../verification/code-sms.ts';
import { consumeCode, normalizeCode } from '../verification/codes.ts';
import { maskPhone, parsePhone } from './number.ts';
import { SmsError, type SmsSender } from './sms.ts';

/**
 * The owner's phone number, for the console section and /api/v1/me/phone:
 *
 *   startPhoneVerification  texts a code to the number; nothing changes yet.
 *                           The same answer whether or not another account
 *                           holds the number (no enumeration): the text goes
 *                           out either way, and only the confirmation, which
 *                           needs that phone, can tell (409, naming no one).
 *   confirmPhone            checks the code, then in one transaction makes it
 *                           the account's verified number (phone, phone_verified,
 *                           phone_verified_at) with a `phone.verified` event.
 *   removePhone             refused while it is the account's last way in.
 *
 * Codes belong to a flow per account (`verify-phone:<user>`), so a sign-in
 * code or another account's code for the number does not work here. Requests
 * are limited like other codes ('code-request' per IP and number) and entries
 * too ('code-entry').
 */

export type PhoneDeps = Pick<AccountDeps, 'db' | 'store' | 'keyring' | 'config' | 'logger' | 'limiter'> & {
  sms: SmsSender | undefined;
  methods: readonly SignInMethod[];
};

export type PhoneStatus = { phone: string | null; verified: boolean; verified_at: Date | null };

const flowOf = (userId: string) => `verify-phone:${userId}`;

function checkNumber(deps: PhoneDeps, input: unknown): string {
  const parsed = parsePhone(input, deps.config.phoneRegion);
  if (parsed.ok) return parsed.e164;
  if (parsed.reason === 'missing') throw new AccountError('validation_failed', t('error.required', { field: t('field.phone').toLowerCase() }), { field: 'phone' });
  throw new AccountError('validation_failed', t('error.phone_invalid'), { field: 'phone' });
}

const phoneOn = (deps: PhoneDeps) => {
  if (!deps.sms || !deps.methods.some((method) => method.id === 'phone')) throw new AccountError('not_found', t('error.phone_off'));
};

export async function getPhoneStatus(deps: Pick<PhoneDeps, 'db'>, userId: string): Promise<PhoneStatus> {
  const row = await getPhone(deps.db.knex, userId);
  if (!row) throw new AccountError('not_found', 'no such account');
  return { phone: row.phone, verified: row.phone_verified, verified_at: row.phone_verified_at };
}

export async function startPhoneVerification(deps: PhoneDeps, actor: AccountActor, input: unknown): Promise<{ phone: string; expires_at: Date }> {
  phoneOn(deps);
  const phone = checkNumber(deps, input);
  const current = await getPhoneStatus(deps, actor.userId);
  if (current.verified && current.phone === phone) throw new AccountError('validation_failed', t('error.phone_same'), { field: 'phone' });
  const limit = await deps.limiter.consume('code-request', { ip: actor.ip, account: phone });
  if (!limit.allowed) {
    throw new AccountError('rate_limited', t('error.rate_limited', { seconds: limit.retryAfterSeconds }), { retryAfterSeconds: limit.retryAfterSeconds });
  }
  try {
    const { expiresAt } = await sendSmsCode(deps, { purpose: 'verify_phone', phone, userId: actor.userId, flowId: flowOf(actor.userId), deliver: 'wait' });
    return { phone, expires_at: expiresAt };
  } catch (error) {
    // The person asked for a text to their own number: saying it failed tells them nothing about anyone else.
    if (error instanceof SmsError) throw new AccountError('unavailable', t('error.sms_failed'), { retryAfterSeconds: 60 });
    throw error;
  }
}

export async function confirmPhone(deps: PhoneDeps, actor: AccountActor, input: { phone: unknown; code: unknown; via: 'console' | 'api' }): Promise<PhoneStatus> {
  phoneOn(deps);
  const phone = checkNumber(deps, input.phone);
  const code = normalizeCode(input.code);
  if (!code) throw new AccountError('validation_failed', t('error.phone_code_format'), { field: 'code' });

  const attempt = await deps.limiter.attempt('code-entry', { ip: actor.ip, account: phone });
  if (!attempt.allowed) {
    throw new AccountError('rate_limited', t('error.rate_limited', { seconds: attempt.retryAfterSeconds }), { retryAfterSeconds: attempt.retryAfterSeconds });
  }
  const check = await consumeCode({ db: deps.db, keyring: deps.keyring, purpose: 'verify_phone', target: phone, flowId: flowOf(actor.userId), code }).catch(async (error: unknown) => {
    await attempt.cancel();
    throw error;
  });
  if (!check.ok || check.userId !== actor.userId) {
    await attempt.fail();
    const burned = !check.ok && check.reason === 'burned';
    throw new AccountError('validation_failed', t(burned ? 'error.code_burned' : 'error.code_invalid'), { field: 'code' });
  }
  await attempt.succeed();

  await deps.db.knex.transaction(async (trx) => {
    const user = await trx('users').where({ id: actor.userId, status: 'active' }).forUpdate().first('id');
    if (!user) throw new AccountError('not_found', 'no such account');
    // Another account has it verified: refused without saying which (the index decides, so a race cannot give it to both).
    if (!(await setVerifiedPhone(trx, actor.userId, phone))) throw new AccountError('conflict', t('error.phone_taken'), { field: 'phone' });
    await recordActorEvent(trx, auditActor(actor), { type: 'phone.verified', subjectUserId: actor.userId, data: { number: maskPhone(phone), via: input.via } });
    publishAfterCommit(trx, deps.store, 'user:updated', { userId: actor.userId });
  });
  return getPhoneStatus(deps, actor.userId);
}

export async function removePhone(deps: PhoneDeps, actor: AccountActor): Promise<PhoneStatus> {
  await deps.db.knex.transaction(async (trx) => {
    // The row lock makes removals of two last ways at once wait for each other.
    const user: { phone: string | null } | undefined = await trx('users').where({ id: actor.userId }).forUpdate().first('phone');
    if (!user) throw new AccountError('not_found', 'no such account');
    if (!user.phone) throw new AccountError('not_found', t('error.phone_none'));
    const ways = await waysIn({ db: { knex: trx }, methods: deps.methods }, actor.userId);
    if (ways.includes('phone') && ways.length === 1) throw new AccountError('conflict', t('error.phone_last_way_in'));
    await clearPhone(trx, actor.userId);
    await recordActorEvent(trx, auditActor(actor), { type: 'phone.removed', subjectUserId: actor.userId, data: { number: maskPhone(user.phone) } });
    publishAfterCommit(trx, deps.store, 'user:updated', { userId: actor.userId });
  });
  return getPhoneStatus(deps, actor.userId);
}
