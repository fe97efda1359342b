import type { Knex } from 'knex';
import { selectVersion } from './version.ts';

export type ClientRow = {
  id: string;
  name: string;
  secret_hash: string | null;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  scope: string;
  token_endpoint_auth_method: string;
  first_party: boolean;
  metadata: Record<string, unknown>;
  /** Set on an API resource's introspection client (resources/introspection-client.ts). */
  introspects_resource_id?: string | null;
  created_at: Date;
  updated_at: Date;
};

export type NewClient = Omit<ClientRow, 'created_at' | 'updated_at'>;

/** A row with `version`: updated_at to the microsecond (a JS Date keeps only milliseconds), for If-Match. */
export type VersionedClientRow = ClientRow & { version: string };

// Microseconds since the epoch, as text: exact, so an ETag compares equal only to the same write.

/** Inserts a client; returns false (and writes nothing) when the name or id is taken. */
export async function insertClient(knex: Knex, client: NewClient): Promise<boolean> {
  const rows = await knex('clients').insert(client).onConflict().ignore().returning('id');
  return rows.length === 1;
}

export function listClients(knex: Knex): Promise<ClientRow[]> {
  return knex<ClientRow>('clients').orderBy('created_at').orderBy('name');
}

export async function findClientByIdOrName(knex: Knex, idOrName: string): Promise<Pick<ClientRow, 'id' | 'name'> | undefined> {
  return knex<ClientRow>('clients').select('id', 'name').where('id', idOrName).orWhere('name', idOrName).first();
}

export async function findClientByName(knex: Knex, name: string): Promise<ClientRow | undefined> {
  return knex<ClientRow>('clients').where({ name }).first();
}

/** One client by id, with its version; `forUpdate` locks the row until the transaction ends. */
export async function findClientRow(knex: Knex, id: string, options: { forUpdate?: boolean } = {}): Promise<VersionedClientRow | undefined> {
  const query = knex<ClientRow>('clients').select('*', selectVersion(knex)).where({ id }).first();
  return (options.forUpdate ? query.forUpdate() : query) as Promise<VersionedClientRow | undefined>;
}

/** Updates columns of one client and bumps its version. */
export async function updateClientRow(
  knex: Knex,
  id: string,
  fields: Partial<Omit<ClientRow, 'id' | 'created_at' | 'updated_at'>>,
): Promise<VersionedClientRow> {
  const { metadata, ...columns } = fields;
  await knex('clients')
    .where({ id })
    // clock_timestamp, not now(): two writes in one transaction still get two versions.
    .update({ ...columns, ...(metadata ? { metadata: JSON.stringify(metadata) } : {}), updated_at: knex.raw('clock_timestamp()') });
  return (await findClientRow(knex, id))!;
}

/** Deletes by id. Tokens and grants go with it (foreign keys cascade). */
export async function deleteClient(knex: Knex, id: string): Promise<ClientRow | undefined> {
  const [row] = await knex<ClientRow>('clients').where({ id }).delete().returning('*');
  return row as ClientRow | undefined;
}
