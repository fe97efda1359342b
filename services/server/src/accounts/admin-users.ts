import type { Knex } from 'knex';
import { checkProfileChanges, type ProfileChanges } from '../account/profile.ts';
import { keyset, keysetOrders, pageOf, type KeysetOrder, type Position } from '../db/keyset.ts';
import { selectVersion, versionSql } from '../db/version.ts';
import { recordActorEvent, type Actor } from '../events/actor.ts';
import { publishAfterCommit } from '../events/publish.ts';
import type { Store } from '../store/index.ts';
import type { Role } from './create-user.ts';
import { changeAccountStatus } from './status.ts';

/**
 * Accounts as an admin sees and changes them (the admin API). Creation and
 * standing (block, lock, delete …) are shared with the CLI: create-user.ts
 * and status.ts. Nothing here knows about HTTP.
 */

export type AdminUser = {
  id: string;
  email: string | null;
  email_verified: boolean;
  username: string | null;
  display_name: string | null;
  first_name: string | null;
  last_name: string | null;
  avatar_url: string | null;
  status: 'active' | 'blocked' | 'deleted';
  role: string;
  scopes: string[];
  locked_until: Date | null;
  created_at: Date;
  updated_at: Date;
  last_login_at: Date | null;
  deleted_at: Date | null;
  /** updated_at in microseconds: the ETag (a JS Date would lose the microseconds). */
  version: string;
};

const columns = (knex: Knex) => [
  'id',
  'email',
  'email_verified',
  'username',
  'display_name',
  'first_name',
  'last_name',
  'avatar_url',
  'status',
  'role',
  'scopes',
  'locked_until',
  'created_at',
  'updated_at',
  'last_login_at',
  'deleted_at',
  selectVersion(knex),
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getUser(knex: Knex, id: string): Promise<AdminUser | undefined> {
  if (!UUID.test(id)) return undefined;
  return (await knex('users').select(columns(knex)).where({ id }).first()) as AdminUser | undefined;
}

export type UserSort = 'created_at' | '-created_at' | 'email' | '-email';

export type UserFilter = {
  emailPrefix?: string;
  emailContains?: string;
  status?: AdminUser['status'];
  role?: Role;
  createdAfter?: string;
  createdBefore?: string;
  sort: UserSort;
};

// LIKE's own wildcards in a filter value match themselves only.
const likeLiteral = (value: string) => value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);

const ORDERS: Record<UserSort, KeysetOrder> = keysetOrders(
  { created_at: { key: 'created_at', kind: 'timestamptz' }, email: { key: `lower(coalesce(email, ''))`, kind: 'text' } },
  { id: 'id', idType: 'uuid' },
);

/** Users matching every given filter, in the chosen order (filters and sort come from the contract's allowlist). */
export async function searchUsers(knex: Knex, filter: UserFilter, page: { limit: number; after?: Position }): Promise<{ items: AdminUser[]; next: Position | null }> {
  const query = knex('users').select(columns(knex));
  if (filter.emailPrefix !== undefined) query.whereRaw(`lower(email) like ? escape '\\'`, [`${likeLiteral(filter.emailPrefix)}%`]);
  if (filter.emailContains !== undefined) query.whereRaw(`lower(email) like ? escape '\\'`, [`%${likeLiteral(filter.emailContains)}%`]);
  if (filter.status) query.where({ status: filter.status });
  if (filter.role) query.where({ role: filter.role });
  if (filter.createdAfter) query.where('created_at', '>=', filter.createdAfter);
  if (filter.createdBefore) query.where('created_at', '<', filter.createdBefore);
  keyset(query, knex, ORDERS[filter.sort], page.after, page.limit);
  const { rows, next } = pageOf((await query) as Array<AdminUser & { keyset_key: string }>, page.limit, (row) => row.id);
  return { items: rows, next };
}

export type UserChanges = ProfileChanges & { role?: Role; status?: 'active' | 'blocked' };

export type UpdateUserResult =
  | { ok: true; user: AdminUser }
  /** `deleted`: deletion is final. `stale`: the row changed since `expectedVersion`. */
  | { ok: false; problem: 'not_found' | 'deleted' | 'stale' | 'username_taken' };

/**
 * An admin's change to an account, applied only if the row still has
 * `expectedVersion` (one conditional UPDATE: two admins never overwrite
 * each other). Profile fields are checked as the owner's own are
 * (account/profile.ts; bad values throw a 400). A status change then goes
 * through status.ts like the CLI's, so blocking revokes sessions and grants.
 */
export async function updateUser(
  deps: { knex: Knex; store: Store },
  id: string,
  changes: UserChanges,
  options: { expectedVersion: string; actor: Actor },
): Promise<UpdateUserResult> {
  const { role, status, ...profileInput } = changes;
  const profile = checkProfileChanges(profileInput);
  const fields = { ...profile, ...(role !== undefined ? { role } : {}) };
  const names = Object.keys(fields);
  if (!UUID.test(id) || !/^\d{1,20}$/.test(options.expectedVersion)) return { ok: false, problem: UUID.test(id) ? 'stale' : 'not_found' };

  const current = await deps.knex.transaction(async (trx): Promise<AdminUser | UpdateUserResult> => {
    const query = trx('users').where({ id }).whereNot({ status: 'deleted' }).whereRaw(`${versionSql()} = ?`, [options.expectedVersion]);
    let rows: AdminUser[];
    try {
      rows = names.length ? ((await query.update({ ...fields, updated_at: trx.fn.now() }).returning(columns(trx))) as AdminUser[]) : ((await query.select(columns(trx))) as AdminUser[]);
    } catch (error) {
      const e = error as { code?: string; constraint?: string };
      if (e?.code === '23505' && e.constraint === 'users_username_normalized_key') return { ok: false, problem: 'username_taken' };
      throw error;
    }
    const row = rows[0];
    if (!row) {
      const existing = (await trx('users').where({ id }).first('status')) as { status: string } | undefined;
      return { ok: false, problem: !existing ? 'not_found' : existing.status === 'deleted' ? 'deleted' : 'stale' };
    }
    if (names.length) {
      await recordActorEvent(trx, options.actor, { type: 'user.updated', subjectUserId: id, data: { fields: names, ...(role !== undefined ? { role } : {}) } });
      publishAfterCommit(trx, deps.store, 'user:updated', { userId: id });
    }
    return row;
  });
  if ('ok' in current) return current;
  if (status !== undefined && status !== current.status) {
    const changed = await changeAccountStatus(deps, id, { action: status === 'blocked' ? 'block' : 'unblock' }, { actor: options.actor });
    if (!changed.ok) return { ok: false, problem: changed.problem === 'deleted' ? 'deleted' : 'not_found' };
  }
  const user = await getUser(deps.knex, id);
  return user ? { ok: true, user } : { ok: false, problem: 'not_found' };
}
