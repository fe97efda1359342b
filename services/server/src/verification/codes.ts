/**
 * One-time codes sent by mail or SMS (the shared verification service): passwordless sign-in, email verification and
 * password reset all go through here.
 *
 * Exports (for sign-up verification and password reset, call these):
 *
 *   sendCode(deps, { purpose, email, userId?, flowId, deliver? }) → Promise<{ expiresAt }>
 *     Issues a code for (purpose, email, flow) and mails it with the template
 *     for `purpose`. Mail goes out in the background (failures are logged), so
 *     the response takes the same time whether or not anything is sent.
 *     `deliver: false` does all the same work without mailing: use it for an
 *     address with no account, to answer exactly as for one that has.
 *
 *   checkCode(deps, { purpose, email, flowId, code }) → Promise<CodeCheck>
 *     Normalizes what the person typed (spaces and dashes ignored) and
 *     consumes the code atomically: { ok: true, userId } exactly once, else
 *     { ok: false, reason: 'format' | 'invalid' | 'burned' | 'no_code' }.
 *     'format' did not count as an attempt. userId is what sendCode was given.
 *
 *   issueCode / consumeCode: the same without mail or typing normalization.
 *
 *   flowId is the interaction uid (req.params.uid): a code only works in the
 *   flow that asked for it. The target is compared lower-cased.
 *   Codes: 6 digits, valid CODE_TTL_SECONDS (10 min), burned after
 *   MAX_CODE_ATTEMPTS (5) wrong tries; a new code retires the previous one.
 */
import { randomInt } from 'node:crypto';
import type { Config } from '../config/env.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { Db } from '../db/knex.ts';
import { consumeVerificationCode, insertVerificationCode } from '../db/verification-codes.ts';
import type { Logger } from '../http/logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import { codeMail } from './code-mail.ts';

/** Codes that go out by mail (code-mail.ts has a template for each). */
export type MailCodePurpose = 'sign_in' | 'verify_email' | 'reset_password';
/** Codes that go out by text (code-sms.ts): signing in with, and proving, a phone number. */
export type SmsCodePurpose = 'sign_in_phone' | 'verify_phone';
export type CodePurpose = MailCodePurpose | SmsCodePurpose;

export const CODE_TTL_SECONDS = 600;
export const MAX_CODE_ATTEMPTS = 5;
const CODE_DIGITS = 6;

export type CodeDeps = { db: Db; keyring: Keyring; mailer: Mailer; config: Config; logger: Logger };

export type CodeCheck = { ok: true; userId: string | null } | { ok: false; reason: 'format' | 'invalid' | 'burned' | 'no_code' };

const targetOf = (email: string) => email.trim().toLowerCase();

// The flow is inside the hash too, so a stored hash is useless to any other flow.
const hashOf = (keyring: Keyring, flowId: string, code: string) => keyring.hash('verification-code', `${flowId}:${code}`);
// Every listed secret's hash, so a code mailed just before a secret rotation still works.
const hashesOf = (keyring: Keyring, flowId: string, code: string) => keyring.hashes('verification-code', `${flowId}:${code}`);

/** Stores a fresh code (only its keyed hash) and retires older ones for the same purpose, target and flow. */
export async function issueCode(input: {
  db: Db;
  keyring: Keyring;
  purpose: CodePurpose;
  target: string;
  userId?: string | null;
  flowId: string;
  ttlSeconds?: number;
}): Promise<{ code: string; expiresAt: Date }> {
  const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
  const expiresAt = await insertVerificationCode(input.db.knex, {
    purpose: input.purpose,
    target: targetOf(input.target),
    userId: input.userId ?? null,
    flowId: input.flowId,
    codeHash: hashOf(input.keyring, input.flowId, code),
    ttlSeconds: input.ttlSeconds ?? CODE_TTL_SECONDS,
  });
  return { code, expiresAt };
}

/** Uses the code if it is right, unused, unexpired and not burned; a wrong code counts one attempt. One SQL statement. */
export async function consumeCode(input: {
  db: Db;
  keyring: Keyring;
  purpose: CodePurpose;
  target: string;
  flowId: string;
  code: string;
}): Promise<{ ok: true; userId: string | null } | { ok: false; reason: 'invalid' | 'burned' | 'no_code' }> {
  const outcome = await consumeVerificationCode(input.db.knex, {
    purpose: input.purpose,
    target: targetOf(input.target),
    flowId: input.flowId,
    codeHashes: hashesOf(input.keyring, input.flowId, input.code),
    maxAttempts: MAX_CODE_ATTEMPTS,
  });
  if (outcome.status === 'consumed') return { ok: true, userId: outcome.userId };
  if (outcome.status === 'mismatch') return { ok: false, reason: outcome.burned ? 'burned' : 'invalid' };
  return { ok: false, reason: 'no_code' };
}

/** What a person typed, as the stored form ("123 456", "123-456" → "123456"); undefined if it cannot be a code. */
export function normalizeCode(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const code = input.replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${CODE_DIGITS}}$`).test(code) ? code : undefined;
}

export async function sendCode(
  deps: CodeDeps,
  /** `to`: the account's stored address when there is one (mail never goes to a merely typed variant). */
  input: { purpose: MailCodePurpose; email: string; to?: string; userId?: string | null; flowId: string; deliver?: boolean },
): Promise<{ expiresAt: Date }> {
  const { code, expiresAt } = await issueCode({ db: deps.db, keyring: deps.keyring, purpose: input.purpose, target: input.email, userId: input.userId, flowId: input.flowId });
  // Rendered either way so both paths do the same work.
  const mail = codeMail({ brand: deps.config.brand, to: (input.to ?? input.email).trim(), purpose: input.purpose, code, minutes: Math.round(CODE_TTL_SECONDS / 60) });
  if (input.deliver !== false) {
    deps.mailer.send(mail).catch((err: unknown) => {
      // Only the SMTP codes: the error text carries the recipient's address.
      const { code: errorCode, responseCode } = (err ?? {}) as { code?: string; responseCode?: number };
      deps.logger.error({ errorCode, responseCode, purpose: input.purpose }, 'could not send code mail');
    });
  }
  return { expiresAt };
}

export async function checkCode(deps: CodeDeps, input: { purpose: CodePurpose; email: string; flowId: string; code: unknown }): Promise<CodeCheck> {
  const code = normalizeCode(input.code);
  if (!code) return { ok: false, reason: 'format' };
  return consumeCode({ db: deps.db, keyring: deps.keyring, purpose: input.purpose, target: input.email, flowId: input.flowId, code });
}
