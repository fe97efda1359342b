import type { Knex } from 'knex';

export type UserRow = {
  id: string;
  username: string | null;
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  phone_verified: boolean;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  avatar_url: string | null;
  status: 'active' | 'blocked' | 'deleted';
  role: string;
  scopes: string[];
  updated_at: Date;
};

/** What password sign-in needs; the hash never leaves the accounts code. */
export type UserCredentials = Pick<UserRow, 'id' | 'email' | 'email_verified' | 'status'> & { password_hash: string | null };

export type NewUser = {
  /** Null for an account made from an upstream identity whose address the upstream did not verify. */
  email: string | null;
  displayName?: string | null;
  passwordHash?: string | null;
  role?: string;
  scopes?: readonly string[];
  emailVerified?: boolean;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A user who may use the service now, by id: undefined for unknown, blocked,
 * deleted or operator-locked users (locked_until in the future), and non-uuid ids.
 */
export async function findActiveUser(knex: Knex, id: string): Promise<UserRow | undefined> {
  if (!UUID.test(id)) return undefined;
  return knex<UserRow>('users')
    .where({ id, status: 'active' })
    .andWhere((q) => q.whereNull('locked_until').orWhere('locked_until', '<=', knex.fn.now()))
    .first();
}

/** Any user with this address, compared case-insensitively (served by the unique lower(email) index). */
export async function findUserByEmail(knex: Knex, email: string): Promise<UserCredentials | undefined> {
  return knex('users')
    .select('id', 'email', 'email_verified', 'status', 'password_hash')
    .whereRaw('lower(email) = lower(?)', [email])
    .first();
}

/** Inserts a user; undefined when the address is already taken (no error, so a transaction stays usable). */
export async function insertUser(knex: Knex, user: NewUser): Promise<string | undefined> {
  const verified = user.emailVerified === true;
  const rows: Array<{ id: string }> = await knex('users')
    .insert({
      email: user.email,
      display_name: user.displayName ?? null,
      password_hash: user.passwordHash ?? null,
      role: user.role ?? 'user',
      scopes: [...(user.scopes ?? [])],
      email_verified: verified,
      email_verified_at: verified ? knex.fn.now() : null,
    })
    .onConflict()
    .ignore()
    .returning('id');
  return rows[0]?.id;
}

export async function setPasswordHash(knex: Knex, id: string, passwordHash: string): Promise<void> {
  await knex('users').where({ id }).update({ password_hash: passwordHash, updated_at: knex.fn.now() });
}

/** Adds scopes to what the user already holds (invitations grant them). */
export async function grantUserScopes(knex: Knex, id: string, scopes: readonly string[]): Promise<void> {
  if (!scopes.length) return;
  await knex('users')
    .where({ id })
    .update({
      scopes: knex.raw('array(select distinct s from unnest(scopes || ?::text[]) as s order by s)', [[...scopes]]),
      updated_at: knex.fn.now(),
    });
}

/**
 * Records that the person proved they read this address. Returns whether
 * it was unverified before (for the audit trail and events).
 */
export async function markEmailVerified(knex: Knex, id: string): Promise<boolean> {
  const changed = await knex('users')
    .where({ id, email_verified: false })
    .update({ email_verified: true, email_verified_at: knex.fn.now(), updated_at: knex.fn.now() });
  return Number(changed) > 0;
}

/**
 * The address of an account nobody had proved yet is now proved (a sign-up's
 * emailed code was right): it takes the name and password from that sign-up.
 * An account already verified is left alone. True when this call verified it.
 */
export async function completeUnverifiedAccount(
  knex: Knex,
  input: { id: string; email: string; displayName: string | null; passwordHash: string },
): Promise<boolean> {
  const changed = await knex('users')
    .where({ id: input.id, email_verified: false })
    .whereRaw('lower(email) = lower(?)', [input.email])
    .update({
      display_name: input.displayName,
      password_hash: input.passwordHash,
      email_verified: true,
      email_verified_at: knex.fn.now(),
      updated_at: knex.fn.now(),
    });
  return Number(changed) > 0;
}

/**
 * A new password after the person proved the address with an emailed code:
 * the address counts as verified, and failed-attempt counters start over.
 */
export async function resetPassword(knex: Knex, id: string, passwordHash: string): Promise<boolean> {
  const changed = await knex('users')
    .where({ id, status: 'active' })
    .update({
      password_hash: passwordHash,
      email_verified: true,
      email_verified_at: knex.raw('coalesce(email_verified_at, now())'),
      failed_sign_in_count: 0,
      // locked_until is an operator's decision; a reset by email must not lift it.
      updated_at: knex.fn.now(),
    });
  return Number(changed) > 0;
}

/** What an operator (or the admin API) sees of an account's standing. */
export type UserStanding = { id: string; email: string | null; status: UserRow['status']; locked_until: Date | null };

const STANDING = ['id', 'email', 'status', 'locked_until'] as const;

/**
 * Sets a user's status and/or lock in one statement; a deleted account stays
 * deleted (undefined is returned for it, as for an unknown id).
 */
export async function updateUserStanding(
  knex: Knex,
  id: string,
  change: { status?: UserRow['status']; lockedUntil?: Date | null },
): Promise<UserStanding | undefined> {
  const fields: Record<string, unknown> = { updated_at: knex.fn.now() };
  if (change.status) fields.status = change.status;
  if (change.status === 'deleted') fields.deleted_at = knex.raw('coalesce(deleted_at, now())');
  if (change.lockedUntil !== undefined) fields.locked_until = change.lockedUntil;
  const rows = (await knex('users').where({ id }).whereNot({ status: 'deleted' }).update(fields).returning([...STANDING])) as UserStanding[];
  return rows[0];
}
