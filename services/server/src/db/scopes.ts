import type { Knex } from 'knex';
import { keyset, keysetOrders, pageOf, type KeysetOrder, type Position } from './keyset.ts';
import { selectVersion, versionSql } from './version.ts';

export type ScopeRow = { name: string; description: string; created_at: Date; updated_at: Date };

/** A row with `version` (updated_at in microseconds, for ETags) and whether the built-in API owns it. */
export type VersionedScopeRow = ScopeRow & { version: string; built_in: boolean };

function selectScopes(knex: Knex) {
  return knex('scopes').select(
    'scopes.*',
    selectVersion(knex, 'scopes.updated_at'),
    knex.raw(`exists (select 1 from api_resources r where r.built_in and scopes.name = any (r.scopes)) as built_in`),
  );
}

/** Creates or re-describes a scope (the CLI's `scopes create`). */
export async function upsertScope(knex: Knex, name: string, description: string): Promise<ScopeRow> {
  const [row] = await knex<ScopeRow>('scopes')
    .insert({ name, description })
    .onConflict('name')
    .merge({ description, updated_at: knex.raw('clock_timestamp()') } as never)
    .returning('*');
  return row as ScopeRow;
}

/** Inserts a scope; undefined when the name is taken. */
export async function insertScope(knex: Knex, name: string, description: string): Promise<VersionedScopeRow | undefined> {
  const [row] = await knex('scopes').insert({ name, description }).onConflict('name').ignore().returning('name');
  return row ? findScope(knex, name) : undefined;
}

export async function findScope(knex: Knex, name: string): Promise<VersionedScopeRow | undefined> {
  return (await selectScopes(knex).where('scopes.name', name).first()) as VersionedScopeRow | undefined;
}

/** Re-describes a scope only if it is still at `version`; undefined when it is not (gone or changed). */
export async function updateScopeIfVersion(knex: Knex, name: string, version: string, description: string): Promise<VersionedScopeRow | undefined> {
  const updated = await knex('scopes')
    .where({ name })
    .andWhereRaw(`${versionSql()} = ?`, [version])
    .update({ description, updated_at: knex.raw('clock_timestamp()') });
  return updated ? findScope(knex, name) : undefined;
}

export async function deleteScope(knex: Knex, name: string): Promise<boolean> {
  return (await knex('scopes').where({ name }).delete()) > 0;
}

export type ScopeSort = 'name' | '-name' | 'created_at' | '-created_at';
export type ScopeListQuery = { sort: ScopeSort; prefix?: string };

const ORDERS: Record<ScopeSort, KeysetOrder> = keysetOrders(
  { name: { key: 'scopes.name', kind: 'text' }, created_at: { key: 'scopes.created_at', kind: 'timestamptz' } },
  { id: 'scopes.name', idType: 'text' },
);

/** One page in keyset order: by name, or by creation time with the name as tie-breaker. */
export async function listScopes(knex: Knex, query: ScopeListQuery, page: { limit: number; after?: Position }): Promise<{ items: VersionedScopeRow[]; next: Position | null }> {
  const q = selectScopes(knex);
  if (query.prefix !== undefined) q.whereRaw('starts_with(scopes.name, ?)', [query.prefix]);
  keyset(q, knex, ORDERS[query.sort], page.after, page.limit);
  const { rows, next } = pageOf((await q) as Array<VersionedScopeRow & { keyset_key: string }>, page.limit, (row) => row.name);
  return { items: rows, next };
}
