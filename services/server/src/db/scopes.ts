import type { Knex } from 'knex';
import { micros, selectVersion, versionSql } from './version.ts';

export type ScopeRow = { name: string; description: string; created_at: Date; updated_at: Date };

/** A row with `version` (updated_at in microseconds, for ETags) and whether the built-in API owns it. */
export type VersionedScopeRow = ScopeRow & { version: string; built_in: boolean };

function selectScopes(knex: Knex) {
  return knex('scopes').select(
    'scopes.*',
    selectVersion(knex, 'scopes.updated_at'),
    knex.raw(`${micros('scopes.created_at')}::text as created_micros`),
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
export type ScopeListQuery = { sort: ScopeSort; prefix?: string; limit: number; after?: ReadonlyArray<string | number | null> };

/**
 * One page in keyset order: by name, or by creation time with the name as
 * tie-breaker. `after` is the sort key of the last item of the previous page.
 * Returns limit + 1 rows at most so the caller knows whether more follow.
 */
export async function listScopes(knex: Knex, query: ScopeListQuery): Promise<Array<VersionedScopeRow & { created_micros: string }>> {
  const desc = query.sort.startsWith('-');
  const byCreated = query.sort.endsWith('created_at');
  const op = desc ? '<' : '>';
  const dir = desc ? 'desc' : 'asc';
  const q = selectScopes(knex);
  if (query.prefix !== undefined) q.whereRaw('starts_with(scopes.name, ?)', [query.prefix]);
  if (query.after) {
    if (byCreated) q.whereRaw(`(${micros('scopes.created_at')}, scopes.name) ${op} (?::bigint, ?)`, [query.after[0] ?? null, query.after[1] ?? null]);
    else q.whereRaw(`scopes.name ${op} ?`, [query.after[0] ?? null]);
  }
  if (byCreated) q.orderByRaw(`scopes.created_at ${dir}, scopes.name ${dir}`);
  else q.orderBy('scopes.name', dir);
  return (await q.limit(query.limit + 1)) as Array<VersionedScopeRow & { created_micros: string }>;
}
