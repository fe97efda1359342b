import type { Knex } from 'knex';

export type ApiResourceRow = {
  id: string;
  identifier: string;
  name: string | null;
  scopes: string[];
  access_token_ttl: number;
  signing_alg: string;
  created_at: Date;
};

export function findApiResource(knex: Knex, identifier: string): Promise<ApiResourceRow | undefined> {
  return knex<ApiResourceRow>('api_resources').where({ identifier }).first();
}

export function listApiResources(knex: Knex): Promise<ApiResourceRow[]> {
  return knex<ApiResourceRow>('api_resources').orderBy('created_at');
}

export async function insertApiResource(
  knex: Knex,
  resource: Pick<ApiResourceRow, 'identifier' | 'name' | 'scopes' | 'access_token_ttl' | 'signing_alg'>,
): Promise<ApiResourceRow | undefined> {
  const [row] = await knex<ApiResourceRow>('api_resources').insert(resource).onConflict('identifier').ignore().returning('*');
  return row as ApiResourceRow | undefined;
}
