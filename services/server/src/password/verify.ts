import type { Knex } from 'knex';
import { isValidEmail } from '../accounts/email.ts';
import { findUserByEmail, setPasswordHash } from '../db/users.ts';
import type { Verified } from '../interactions/sign-in.ts';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './hash.ts';
import { PASSWORD_MAX_LENGTH } from './params.ts';
import { passwordLength } from './policy.ts';

/**
 * Checks an email + password. Every refusal looks the same (unknown address,
 * wrong password, account without a password, account that cannot sign in)
 * and costs one argon2 verification, so neither the answer nor its timing
 * tells whether the address has an account. A hash made with older
 * parameters is replaced on success, while we hold the plaintext.
 */
export async function verifyEmailPassword(knex: Knex, email: string, password: string): Promise<Verified> {
  if (!isValidEmail(email) || passwordLength(password) > PASSWORD_MAX_LENGTH) return verifyAgainstDummy(password.slice(0, 1024)).then(() => ({ ok: false }));
  const user = await findUserByEmail(knex, email);
  if (!user?.password_hash) return verifyAgainstDummy(password).then(() => ({ ok: false }));
  const match = await verifyPassword(user.password_hash, password);
  if (!match || user.status !== 'active') return { ok: false };
  if (needsRehash(user.password_hash)) await setPasswordHash(knex, user.id, await hashPassword(password));
  return { ok: true, userId: user.id };
}
