import type { Knex } from 'knex';
import type { SignInMethod } from '../interactions/method.ts';

export type WayIn = 'password' | 'email-code' | 'passkey' | 'social' | 'phone';

/**
 * The ways this account can still sign in on its own (a second factor
 * alone is not one). Removing a password, passkey, linked identity or phone
 * number is refused when it is the last: nobody locks themselves out.
 */
export async function waysIn(deps: { db: { knex: Knex }; methods: readonly SignInMethod[] }, userId: string): Promise<WayIn[]> {
  const { knex } = deps.db;
  const enabled = new Set(deps.methods.map((method) => method.id));
  const user: { password_hash: string | null; email: string | null; email_verified: boolean; phone: string | null; phone_verified: boolean } | undefined = await knex('users')
    .select('password_hash', 'email', 'email_verified', 'phone', 'phone_verified')
    .where({ id: userId })
    .first();
  if (!user) return [];
  const count = async (table: string) => Number(((await knex(table).where({ user_id: userId }).count({ n: '*' }).first()) as { n: string | number } | undefined)?.n ?? 0);
  const ways: WayIn[] = [];
  if (user.password_hash) ways.push('password');
  if (user.email && user.email_verified && enabled.has('email-code')) ways.push('email-code');
  if (enabled.has('passkey') && (await count('webauthn_credentials')) > 0) ways.push('passkey');
  if (enabled.has('social') && (await count('auth_providers')) > 0) ways.push('social');
  if (enabled.has('phone') && user.phone && user.phone_verified) ways.push('phone');
  return ways;
}
