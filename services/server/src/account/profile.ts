import type { Knex } from 'knex';
import { selectVersion, versionSql } from '../db/version.ts';
import { recordActorEvent } from '../events/actor.ts';
import { publishAfterCommit } from '../events/publish.ts';
import { auditActor, type AccountActor, type AccountDeps } from './deps.ts';
import { AccountError } from './errors.ts';

/**
 * The account owner's profile. Only the fields below may be changed by the
 * owner; role, status, scopes, email (see email-change.ts) and its verified
 * flag are not reachable from here at all, whatever the caller passes.
 *
 * `version` is the row's updated_at in microseconds: the ETag of the API and
 * the console's hidden field. An update given a version applies only if the
 * row still has it (one conditional UPDATE), so two tabs or two clients
 * never overwrite each other silently.
 */

export type Profile = {
  id: string;
  email: string | null;
  email_verified: boolean;
  username: string | null;
  display_name: string | null;
  first_name: string | null;
  last_name: string | null;
  avatar_url: string | null;
  created_at: Date;
  updated_at: Date;
  version: string;
};

export const PROFILE_FIELDS = ['username', 'display_name', 'first_name', 'last_name'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type ProfileChanges = Partial<Record<ProfileField, string | null>>;

export const NAME_MAX_LENGTH = 100;
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/;
// Control characters (incl. NUL, which Postgres text refuses) and line breaks never belong in a name.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const columns = (knex: Knex) => [
  'id',
  'email',
  'email_verified',
  'username',
  'display_name',
  'first_name',
  'last_name',
  'avatar_url',
  'created_at',
  'updated_at',
  selectVersion(knex),
];

const LIVE = (q: Knex.QueryBuilder) => q.where({ status: 'active' });

export async function getProfile(deps: Pick<AccountDeps, 'db'>, userId: string): Promise<Profile> {
  const knex = deps.db.knex;
  const row = (await knex('users').select(columns(knex)).where({ id: userId }).modify(LIVE).first()) as Profile | undefined;
  if (!row) throw new AccountError('not_found', 'no such account');
  return row;
}

/** Trims and checks each given field; undefined fields are left alone, null (or an empty string) clears one. */
export function checkProfileChanges(input: Record<string, unknown>): ProfileChanges {
  const changes: ProfileChanges = {};
  for (const [field, raw] of Object.entries(input)) {
    if (!(PROFILE_FIELDS as readonly string[]).includes(field)) throw new AccountError('validation_failed', `${field} cannot be changed here`, { field });
    if (raw === undefined) continue;
    if (raw !== null && typeof raw !== 'string') throw new AccountError('validation_failed', `${field} must be a string or null`, { field });
    const value = raw === null ? null : raw.trim() || null;
    if (value !== null) {
      if (CONTROL.test(value)) throw new AccountError('validation_failed', `${field} must not contain control characters`, { field });
      if (field === 'username' && !USERNAME_PATTERN.test(value)) {
        throw new AccountError('validation_failed', 'username must be 3 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit', { field });
      }
      if ([...value].length > NAME_MAX_LENGTH) throw new AccountError('validation_failed', `${field} must be at most ${NAME_MAX_LENGTH} characters`, { field });
    }
    changes[field as ProfileField] = value;
  }
  return changes;
}

/**
 * Applies the owner's changes. `expectedVersion`: the version the caller
 * last saw; a mismatch is a 412 and nothing changes. A username another
 * account holds is a 409. Records `profile.updated` with the changed field
 * names (not their values).
 */
export async function updateProfile(
  deps: Pick<AccountDeps, 'db' | 'store'>,
  actor: AccountActor,
  input: Record<string, unknown>,
  options: { expectedVersion?: string } = {},
): Promise<Profile> {
  const changes = checkProfileChanges(input);
  const knex = deps.db.knex;
  const expected = options.expectedVersion;
  if (expected !== undefined && !/^\d{1,20}$/.test(expected)) throw new AccountError('precondition_failed', 'the profile has changed since it was read');
  const fields = Object.keys(changes);
  return knex.transaction(async (trx) => {
    const query = trx('users').where({ id: actor.userId }).modify(LIVE);
    if (expected !== undefined) query.whereRaw(`${versionSql()} = ?`, [expected]);
    const rows = fields.length
      ? ((await query
          .update({ ...changes, updated_at: trx.fn.now() })
          .returning(columns(trx))
          .catch((error: { code?: string; constraint?: string }) => {
            if (error?.code === '23505' && error.constraint === 'users_username_normalized_key') {
              throw new AccountError('conflict', 'that username is taken', { field: 'username' });
            }
            throw error;
          })) as Profile[])
      : ((await query.select(columns(trx))) as Profile[]);
    const row = rows[0];
    if (!row) {
      const exists = await trx('users').where({ id: actor.userId }).modify(LIVE).first('id');
      if (!exists) throw new AccountError('not_found', 'no such account');
      throw new AccountError('precondition_failed', 'the profile has changed since it was read');
    }
    if (fields.length) {
      await recordActorEvent(trx, auditActor(actor), { type: 'profile.updated', subjectUserId: actor.userId, data: { fields } });
      publishAfterCommit(trx, deps.store, 'user:updated', { userId: actor.userId });
    }
    return row;
  });
}
