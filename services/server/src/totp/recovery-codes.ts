import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';

/**
 * Recovery codes: ten per account, for when the authenticator app is lost.
 * Shown once, stored as keyed hashes (Keyring purpose 'recovery-code'), each
 * used at most once by one UPDATE … WHERE used_at IS NULL.
 */
export const RECOVERY_CODE_COUNT = 10;

// Lowercase letters and digits without look-alikes (0/o, 1/l/i): 31 symbols,
// ten per code: about 49 bits, far more than anyone can guess under the code-entry limit.
const ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
const LENGTH = 10;

const newCode = (): string => {
  let code = '';
  for (let i = 0; i < LENGTH; i += 1) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
};

/** What a person typed, in the stored form: case, spaces and the dash do not matter. */
export function normalizeRecoveryCode(value: string): string | undefined {
  const compact = value.toLowerCase().replace(/[\s-]/g, '');
  if (compact.length !== LENGTH || [...compact].some((c) => !ALPHABET.includes(c))) return undefined;
  return compact;
}

/** Replaces the account's codes with ten new ones (in the caller's transaction) and returns them, for showing once. */
export async function issueRecoveryCodes(trx: Knex.Transaction, keyring: Keyring, userId: string): Promise<string[]> {
  await trx('recovery_codes').where({ user_id: userId }).delete();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await trx('recovery_codes').insert(codes.map((code) => ({ user_id: userId, code_hash: keyring.hash('recovery-code', normalizeRecoveryCode(code)!) })));
  return codes;
}

/**
 * Uses one of the account's codes: true for exactly one caller, however many
 * send the same code at once. Codes made before a LATCHKEY_SECRETS rotation
 * still match (every secret's hash is looked up).
 */
export async function consumeRecoveryCode(trx: Knex | Knex.Transaction, keyring: Keyring, userId: string, typed: string): Promise<boolean> {
  const code = normalizeRecoveryCode(typed);
  if (!code) return false;
  const rows = await trx('recovery_codes')
    .where({ user_id: userId })
    .whereIn('code_hash', keyring.hashes('recovery-code', code))
    .whereNull('used_at')
    .update({ used_at: trx.fn.now() })
    .returning('id');
  return rows.length === 1;
}

export async function recoveryCodesLeft(knex: Knex, userId: string): Promise<number> {
  const row = (await knex('recovery_codes').where({ user_id: userId }).whereNull('used_at').count({ n: '*' }).first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}
