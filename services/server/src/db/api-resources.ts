import type { Knex } from 'knex';
import { selectVersion } from './version.ts';

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
  updated_at: Date;
};

/** A row with `version`: updated_at to the microsecond (a JS Date keeps only milliseconds), for If-Match. */
export type VersionedApiResourceRow = ApiResourceRow & { version: string };

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

/** One resource by id (a uuid), with its version; `forUpdate` locks the row until the transaction ends. */
export function findApiResourceRow(knex: Knex, id: string, options: { forUpdate?: boolean } = {}): Promise<VersionedApiResourceRow | undefined> {
  const query = knex<ApiResourceRow>('api_resources').select('*', selectVersion(knex)).where({ id }).first();
  return (options.forUpdate ? query.forUpdate() : query) as Promise<VersionedApiResourceRow | undefined>;
}

/** Updates one resource and bumps its version. */
export async function updateApiResourceRow(
  knex: Knex,
  id: string,
  fields: Partial<Pick<ApiResourceRow, 'name' | 'scopes' | 'access_token_ttl' | 'signing_alg'>>,
): Promise<VersionedApiResourceRow> {
  // clock_timestamp, not now(): two writes in one transaction still get two versions.
  await knex('api_resources').where({ id }).update({ ...fields, updated_at: knex.raw('clock_timestamp()') });
  return (await findApiResourceRow(knex, id))!;
}

export async function deleteApiResourceRow(knex: Knex, id: string): Promise<void> {
  await knex('api_resources').where({ id }).delete();
}
