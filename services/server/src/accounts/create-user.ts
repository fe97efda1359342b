import type { Knex } from 'knex';
import { insertUser } from '../db/users.ts';
import { recordActorEvent, type Actor } from '../events/actor.ts';
import { publishAfterCommit } from '../events/publish.ts';
import { hashPassword } from '../password/hash.ts';
import { checkPassword, type PasswordProblem } from '../password/policy.ts';
import type { Store } from '../store/index.ts';
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
 * An account an operator or an admin vouches for (`latchkey users create`,
 * `POST /api/v1/admin/users`): the address counts as verified, since they
 * typed it. Creation, its audit event and `user:created` (after the commit)
 * go together. Undefined when the address is taken.
 */
export async function createOperatorUser(
  deps: { knex: Knex; store: Store },
  user: OperatorUser,
  options: { actor: Actor; via: 'cli' | 'api' },
): Promise<string | undefined> {
  const passwordHash = user.password === undefined ? null : await hashPassword(user.password);
  return deps.knex.transaction(async (trx) => {
    const userId = await insertUser(trx, { email: user.email, displayName: user.name, passwordHash, role: user.role, emailVerified: true });
    if (!userId) return undefined;
    await recordActorEvent(trx, options.actor, { type: 'sign_up', subjectUserId: userId, data: { via: options.via, role: user.role } });
    publishAfterCommit(trx, deps.store, 'user:created', { userId });
    return userId;
  });
}
