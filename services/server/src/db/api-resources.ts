import type { Knex } from 'knex';

export type ApiResourceRow = {
  id: string;
  identifier: string;
  name: string | null;
  scopes: string[];
  access_token_ttl: number;
  signing_alg: string;
  /** The REST API of this server itself (one row; its identifier is `<issuer>/api`, mapped at lookup). */
  built_in: boolean;
  created_at: Date;
};

/** An operator-registered API by identifier; the built-in row's placeholder identifier never matches. */
export function findApiResource(knex: Knex, identifier: string): Promise<ApiResourceRow | undefined> {
  return knex<ApiResourceRow>('api_resources').where({ identifier, built_in: false }).first();
}

/** This server's own REST API (registered by a migration). */
export function findBuiltInApiResource(knex: Knex): Promise<ApiResourceRow | undefined> {
  return knex<ApiResourceRow>('api_resources').where({ built_in: true }).first();
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
