import { auditActor, type AccountActor, type AccountDeps } from '../account/deps.ts';
import { AccountError } from '../account/errors.ts';
import { recordActorEvent } from '../events/actor.ts';
import { publishAfterCommit } from '../events/publish.ts';
import { t } from '../interactions/i18n/index.ts';
import type { Html } from '../interactions/views/html.ts';
import { isTotpCode, matchingStep, newSeed, otpauthUri, qrSvg } from './authenticator.ts';
import { consumeRecoveryCode, issueRecoveryCodes, recoveryCodesLeft } from './recovery-codes.ts';

/**
 * Two-step verification of one account: the authenticator app (TOTP) and
 * its recovery codes. The console, the sign-in pages and the REST API all
 * call these; nothing here knows about HTTP. The seed is encrypted under
 * LATCHKEY_SECRETS (Keyring purpose 'totp-seed'); while it is being set up
 * it waits in users.totp_secret with totp_enabled false.
 */
export type TwoStepDeps = Pick<AccountDeps, 'config' | 'db' | 'store' | 'keyring' | 'limiter'>;

/** Who acts, for the audit trail; `clientId` when it happens during a sign-in to an app. */
export type TwoStepActor = AccountActor & { clientId?: string };

type TotpRow = { email: string | null; totp_enabled: boolean; totp_secret: string | null; totp_last_step: string | number | null };

const readRow = async (deps: TwoStepDeps, userId: string): Promise<TotpRow | undefined> =>
  deps.db.knex('users').select('email', 'totp_enabled', 'totp_secret', 'totp_last_step').where({ id: userId, status: 'active' }).first();

const audit = (actor: TwoStepActor) => ({ ...auditActor(actor), clientId: actor.clientId });

export type TwoStepStatus = { totpEnabled: boolean; recoveryCodesLeft: number };

export async function twoStepStatus(deps: Pick<TwoStepDeps, 'db'>, userId: string): Promise<TwoStepStatus> {
  const row: { totp_enabled: boolean } | undefined = await deps.db.knex('users').select('totp_enabled').where({ id: userId }).first();
  if (!row) throw new AccountError('not_found', 'no such account');
  return { totpEnabled: row.totp_enabled, recoveryCodesLeft: row.totp_enabled ? await recoveryCodesLeft(deps.db.knex, userId) : 0 };
}

export const totpEnabled = async (deps: Pick<TwoStepDeps, 'db'>, userId: string): Promise<boolean> =>
  Boolean(((await deps.db.knex('users').select('totp_enabled').where({ id: userId }).first()) as { totp_enabled: boolean } | undefined)?.totp_enabled);

export type Setup = { seed: string; uri: string; qr: Html };

/**
 * The seed being set up, made on the first call and the same on every later
 * one (a reload shows the same QR code), until it is confirmed.
 */
export async function pendingSetup(deps: TwoStepDeps, userId: string): Promise<Setup> {
  for (let tries = 0; tries < 3; tries += 1) {
    const row = await readRow(deps, userId);
    if (!row) throw new AccountError('not_found', 'no such account');
    if (row.totp_enabled) throw new AccountError('conflict', t('totp.already_on'));
    let seed: string | undefined;
    if (row.totp_secret) {
      try {
        seed = deps.keyring.decrypt('totp-seed', row.totp_secret);
      } catch {
        // Sealed under a secret no longer configured: start over with a new one.
      }
    }
    if (!seed) {
      const fresh = await newSeed();
      // Only over what was read: two tabs starting at once end up with one seed.
      const query = deps.db.knex('users').where({ id: userId, totp_enabled: false });
      if (row.totp_secret) query.where({ totp_secret: row.totp_secret });
      else query.whereNull('totp_secret');
      if (!Number(await query.update({ totp_secret: deps.keyring.encrypt('totp-seed', fresh) }))) continue;
      seed = fresh;
    }
    const uri = await otpauthUri(deps.config.brand.productName, row.email ?? userId, seed);
    return { seed, uri, qr: await qrSvg(uri) };
  }
  throw new AccountError('conflict', t('totp.setup_changed'));
}

export type CheckedSetup = { step: number; sealed: string };

/** Whether `code` comes from the seed being set up. */
export async function checkSetupCode(deps: TwoStepDeps, userId: string, code: string): Promise<CheckedSetup | undefined> {
  const row = await readRow(deps, userId);
  if (!row || row.totp_enabled || !row.totp_secret || !isTotpCode(code)) return undefined;
  let seed: string;
  try {
    seed = deps.keyring.decrypt('totp-seed', row.totp_secret);
  } catch {
    return undefined;
  }
  const step = await matchingStep(seed, code, null);
  return step === undefined ? undefined : { step, sealed: row.totp_secret };
}

/**
 * Turns the app on with the seed that was checked (unless it changed
 * meanwhile), records the code's step as used, and makes ten recovery codes,
 * returned for showing once.
 */
export async function enableTotp(deps: TwoStepDeps, actor: TwoStepActor, checked: CheckedSetup): Promise<string[]> {
  const codes = await deps.db.knex.transaction(async (trx) => {
    const rows = await trx('users')
      .where({ id: actor.userId, totp_enabled: false, totp_secret: checked.sealed })
      .update({ totp_enabled: true, totp_last_step: checked.step, updated_at: trx.fn.now() })
      .returning('id');
    if (rows.length !== 1) return undefined;
    const issued = await issueRecoveryCodes(trx, deps.keyring, actor.userId);
    await recordActorEvent(trx, audit(actor), { type: 'totp.enabled', subjectUserId: actor.userId });
    await recordActorEvent(trx, audit(actor), { type: 'recovery_codes.generated', subjectUserId: actor.userId, data: { count: issued.length } });
    publishAfterCommit(trx, deps.store, 'user:updated', { userId: actor.userId });
    return issued;
  });
  if (!codes) throw new AccountError('conflict', t('totp.setup_changed'));
  return codes;
}

/** Reserves a code-entry attempt for this account and IP, or refuses (429). */
async function reserveCodeEntry(deps: TwoStepDeps, actor: TwoStepActor, email: string | null) {
  const attempt = await deps.limiter.attempt('code-entry', { ip: actor.ip, account: (email ?? actor.userId).toLowerCase() });
  if (!attempt.allowed) {
    throw new AccountError('rate_limited', t('error.rate_limited', { seconds: attempt.retryAfterSeconds }), { retryAfterSeconds: attempt.retryAfterSeconds });
  }
  return attempt;
}

/** Console and API: confirms the set-up with a code from the app (wrong codes count against the code-entry limit). */
export async function confirmTotpSetup(deps: TwoStepDeps, actor: TwoStepActor, code: string): Promise<string[]> {
  const row = await readRow(deps, actor.userId);
  if (!row) throw new AccountError('not_found', 'no such account');
  if (row.totp_enabled) throw new AccountError('conflict', t('totp.already_on'));
  if (!isTotpCode(code.trim())) throw new AccountError('validation_failed', t('totp.code_format'), { field: 'code' });
  const attempt = await reserveCodeEntry(deps, actor, row.email);
  const checked = await checkSetupCode(deps, actor.userId, code.trim()).catch(async (error: unknown) => {
    await attempt.cancel();
    throw error;
  });
  if (!checked) {
    await attempt.fail();
    throw new AccountError('validation_failed', t('totp.code_wrong'), { field: 'code' });
  }
  await attempt.succeed();
  return enableTotp(deps, actor, checked);
}

/**
 * A code from the app, at sign-in or to prove the factor: accepted when it
 * matches a step within one either side of now that is later than the last
 * accepted one, and this call is the one whose single UPDATE records that
 * step. So a code works once, even sent twice in parallel to two replicas.
 */
export async function acceptTotpCode(deps: Pick<TwoStepDeps, 'db' | 'keyring'>, userId: string, code: string): Promise<boolean> {
  if (!isTotpCode(code)) return false;
  const row: Pick<TotpRow, 'totp_secret' | 'totp_last_step'> | undefined = await deps.db
    .knex('users')
    .select('totp_secret', 'totp_last_step')
    .where({ id: userId, totp_enabled: true })
    .first();
  if (!row?.totp_secret) return false;
  let seed: string;
  try {
    seed = deps.keyring.decrypt('totp-seed', row.totp_secret);
  } catch {
    // Sealed under a secret dropped from LATCHKEY_SECRETS: no code can match (recovery codes still can).
    return false;
  }
  const last = row.totp_last_step === null ? null : Number(row.totp_last_step);
  const step = await matchingStep(seed, code, last);
  if (step === undefined) return false;
  const rows = await deps.db.knex
    .raw('update users set totp_last_step = ? where id = ? and totp_enabled and (totp_last_step is null or totp_last_step < ?) returning id', [step, userId, step])
    .then((result: { rows: unknown[] }) => result.rows);
  return rows.length === 1;
}

/** A recovery code instead of the app: used up by this call or refused; audited with how many are left. */
export async function acceptRecoveryCode(deps: Pick<TwoStepDeps, 'db' | 'keyring'>, actor: TwoStepActor, code: string): Promise<boolean> {
  return deps.db.knex.transaction(async (trx) => {
    const enabled: { totp_enabled: boolean } | undefined = await trx('users').select('totp_enabled').where({ id: actor.userId }).first();
    if (!enabled?.totp_enabled || !(await consumeRecoveryCode(trx, deps.keyring, actor.userId, code))) return false;
    const left = (await trx('recovery_codes').where({ user_id: actor.userId }).whereNull('used_at').count({ n: '*' }).first()) as { n: string | number };
    await recordActorEvent(trx, audit(actor), { type: 'recovery_code.used', subjectUserId: actor.userId, data: { left: Number(left.n) } });
    return true;
  });
}

/** Ten new recovery codes; the old ones stop working. The caller has checked for a recent second factor. */
export async function regenerateRecoveryCodes(deps: TwoStepDeps, actor: TwoStepActor): Promise<string[]> {
  const codes = await deps.db.knex.transaction(async (trx) => {
    const row: { totp_enabled: boolean } | undefined = await trx('users').select('totp_enabled').where({ id: actor.userId }).forUpdate().first();
    if (!row?.totp_enabled) return undefined;
    const issued = await issueRecoveryCodes(trx, deps.keyring, actor.userId);
    await recordActorEvent(trx, audit(actor), { type: 'recovery_codes.generated', subjectUserId: actor.userId, data: { count: issued.length } });
    return issued;
  });
  if (!codes) throw new AccountError('conflict', t('totp.not_on'));
  return codes;
}

/** Turns the app off: seed, last step and recovery codes go. The caller has checked for a recent second factor. */
export async function turnOffTotp(deps: TwoStepDeps, actor: TwoStepActor): Promise<void> {
  const done = await deps.db.knex.transaction(async (trx) => {
    const rows = await trx('users')
      .where({ id: actor.userId, totp_enabled: true })
      .update({ totp_enabled: false, totp_secret: null, totp_last_step: null, updated_at: trx.fn.now() })
      .returning('id');
    if (rows.length !== 1) return false;
    await trx('recovery_codes').where({ user_id: actor.userId }).delete();
    await recordActorEvent(trx, audit(actor), { type: 'totp.disabled', subjectUserId: actor.userId });
    publishAfterCommit(trx, deps.store, 'user:updated', { userId: actor.userId });
    return true;
  });
  if (!done) throw new AccountError('conflict', t('totp.not_on'));
}

/**
 * The REST API's way to prove the factor before turning it off: an access
 * token says nothing about how recently its holder used the second factor,
 * so the request carries a current code from the app or a recovery code.
 * Wrong codes count against the code-entry limit.
 */
export async function turnOffTotpWithCode(deps: TwoStepDeps, actor: TwoStepActor, code: string): Promise<void> {
  const row = await readRow(deps, actor.userId);
  if (!row) throw new AccountError('not_found', 'no such account');
  if (!row.totp_enabled) throw new AccountError('conflict', t('totp.not_on'));
  const typed = code.trim();
  if (!typed) throw new AccountError('validation_failed', t('totp.code_format'), { field: 'code' });
  const attempt = await reserveCodeEntry(deps, actor, row.email);
  const proved = isTotpCode(typed) ? await acceptTotpCode(deps, actor.userId, typed) : await acceptRecoveryCode(deps, actor, typed);
  if (!proved) {
    await attempt.fail();
    throw new AccountError('validation_failed', t('totp.code_wrong'), { field: 'code' });
  }
  await attempt.succeed();
  await turnOffTotp(deps, actor);
}
