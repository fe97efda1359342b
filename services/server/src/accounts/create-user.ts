import type { Knex } from 'knex';
import { insertUser } from '../db/users.ts';
import { recordAuditEvent } from '../events/audit.ts';
import { hashPassword } from '../password/hash.ts';
import { checkPassword, type PasswordProblem } from '../password/policy.ts';
import { isValidEmail, normalizeEmail } from './email.ts';

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const NAME_MAX_LENGTH = 100;

export type CreateUserProblem = 'email_invalid' | 'name_invalid' | 'role_invalid' | `password_${PasswordProblem}` | 'email_taken';

export type OperatorUser = { email: string; name: string | null; role: Role; password: string | undefined };

/** Checks what an operator typed, before anything touches the database. */
export function checkOperatorUser(input: { email: string; password?: string; name?: string; role?: string }): { ok: true; user: OperatorUser } | { ok: false; problem: CreateUserProblem } {
  const email = normalizeEmail(input.email);
  if (!isValidEmail(email)) return { ok: false, problem: 'email_invalid' };
  const name = input.name?.trim() || null;
  if (name !== null && [...name].length > NAME_MAX_LENGTH) return { ok: false, problem: 'name_invalid' };
  const role = input.role ?? 'user';
  if (!(ROLES as readonly string[]).includes(role)) return { ok: false, problem: 'role_invalid' };
  if (input.password !== undefined) {
    const problem = checkPassword(input.password, { email });
    if (problem) return { ok: false, problem: `password_${problem}` };
  }
  return { ok: true, user: { email, name, role: role as Role, password: input.password } };
}

/**
 * An account an operator vouches for (`latchkey users create`): the address
 * counts as verified, since the operator typed it. Undefined when the
 * address is taken.
 */
export async function insertOperatorUser(knex: Knex, user: OperatorUser): Promise<string | undefined> {
  const passwordHash = user.password === undefined ? null : await hashPassword(user.password);
  return knex.transaction(async (trx) => {
    const userId = await insertUser(trx, { email: user.email, displayName: user.name, passwordHash, role: user.role, emailVerified: true });
    if (userId) await recordAuditEvent(trx, { type: 'sign_up', actorType: 'operator', subjectUserId: userId, data: { via: 'cli', role: user.role } });
    return userId;
  });
}
