import type { Knex } from 'knex';

export type ScopeRow = { name: string; description: string; created_at: Date };

/** Creates or re-describes a scope. */
export async function upsertScope(knex: Knex, name: string, description: string): Promise<ScopeRow> {
  const [row] = await knex<ScopeRow>('scopes').insert({ name, description }).onConflict('name').merge(['description']).returning('*');
  return row as ScopeRow;
}
