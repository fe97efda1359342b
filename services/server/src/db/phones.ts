import type { Knex } from 'knex';

/**
 * The account's phone number (users.phone, phone_verified, phone_verified_at).
 * A number is the account's only once proved by a code; a verified number
 * belongs to one account (users_verified_phone_key, migration 20261130000008).
 */

export type PhoneRow = { phone: string | null; phone_verified: boolean; phone_verified_at: Date | null };

export async function getPhone(knex: Knex, userId: string): Promise<PhoneRow | undefined> {
  return knex('users').select('phone', 'phone_verified', 'phone_verified_at').where({ id: userId }).first();
}

/** The active account that signs in with this verified E.164 number, if any. */
export async function findUserByVerifiedPhone(knex: Knex, e164: string): Promise<{ id: string; status: string } | undefined> {
  return knex('users').select('id', 'status').where({ phone: e164, phone_verified: true }).first();
}

/** Whether `userId` still holds `e164` as its verified number (it may have changed since a code went out). */
export async function hasVerifiedPhone(knex: Knex, userId: string, e164: string): Promise<boolean> {
  return Boolean(await knex('users').select('id').where({ id: userId, phone: e164, phone_verified: true }).first());
}

/**
 * Makes `e164` the account's verified number. Returns false when another
 * account holds it verified (the unique index decides, so two accounts
 * confirming at once cannot both get it).
 */
export async function setVerifiedPhone(trx: Knex.Transaction, userId: string, e164: string): Promise<boolean> {
  try {
    await trx.raw('savepoint set_verified_phone');
    await trx('users').where({ id: userId }).update({ phone: e164, phone_verified: true, phone_verified_at: trx.fn.now(), updated_at: trx.fn.now() });
    await trx.raw('release savepoint set_verified_phone');
    return true;
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' && constraint === 'users_verified_phone_key') {
      await trx.raw('rollback to savepoint set_verified_phone');
      return false;
    }
    throw error;
  }
}

export async function clearPhone(trx: Knex.Transaction, userId: string): Promise<void> {
  await trx('users').where({ id: userId }).update({ phone: null, phone_verified: false, phone_verified_at: null, updated_at: trx.fn.now() });
}
