import type { Knex } from 'knex';

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
  created_at: Date;
  updated_at: Date;
};

export type NewClient = Omit<ClientRow, 'created_at' | 'updated_at'>;

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

/** Deletes by id or name. Tokens and grants go with it (foreign keys cascade). */
export async function deleteClient(knex: Knex, idOrName: string): Promise<ClientRow | undefined> {
  const [row] = await knex<ClientRow>('clients').where('id', idOrName).orWhere('name', idOrName).delete().returning('*');
  return row as ClientRow | undefined;
}
