import type { Knex } from 'knex';
import type { ClientRow as StoredClient } from './clients.ts';

/**
 * oidc-provider's Client model on the `clients` table: a row maps to RFC 7591
 * client metadata (typed columns for what operators query, the rest in
 * `metadata` jsonb). `client_secret` is the stored keyed hash, never the
 * secret itself; Client.prototype.compareClientSecret is overridden to verify
 * against it (oidc/internals.ts).
 */

export type ClientMetadata = Record<string, unknown>;

type ClientRow = Omit<StoredClient, 'created_at' | 'updated_at'>;

// Metadata that has its own column (or must never be taken from a payload).
const COLUMN_FIELDS = new Set([
  'client_id',
  'client_name',
  'client_secret',
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'response_types',
  'scope',
  'token_endpoint_auth_method',
  // Only operators mark a client first-party (skips consent); never dynamic registration.
  'first_party',
]);

export function clientRowToMetadata(row: ClientRow): ClientMetadata {
  return {
    ...row.metadata,
    client_id: row.id,
    client_name: row.name,
    ...(row.secret_hash === null ? {} : { client_secret: row.secret_hash }),
    redirect_uris: row.redirect_uris,
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    grant_types: row.grant_types,
    response_types: row.response_types,
    ...(row.scope === '' ? {} : { scope: row.scope }),
    token_endpoint_auth_method: row.token_endpoint_auth_method,
    first_party: row.first_party,
  };
}

export async function findClientMetadata(knex: Knex, id: string): Promise<ClientMetadata | undefined> {
  const row = await knex<ClientRow>('clients')
    .select(
      'id',
      'name',
      'secret_hash',
      'redirect_uris',
      'post_logout_redirect_uris',
      'grant_types',
      'response_types',
      'scope',
      'token_endpoint_auth_method',
      'first_party',
      'metadata',
    )
    .where({ id })
    // A metadata-document client's row only anchors its grants and tokens: it is always read from its document.
    .whereRaw(`not (metadata @> '{"client_id_metadata_document": true}')`)
    .first();
  return row ? clientRowToMetadata(row) : undefined;
}

/**
 * Records a client ID metadata document client (id = its URL) so its grants and tokens have
 * the client row they reference, die with it (on delete cascade), and operators see it in
 * `clients list`. Written once; the document stays the source of its metadata.
 */
export async function recordDocumentClient(knex: Knex, client: { id: string; redirectUris: string[]; grantTypes: string[]; responseTypes: string[]; authMethod: string }): Promise<void> {
  await knex<ClientRow>('clients')
    .insert({
      id: client.id,
      name: client.id,
      secret_hash: null,
      redirect_uris: client.redirectUris,
      post_logout_redirect_uris: [],
      grant_types: client.grantTypes,
      response_types: client.responseTypes,
      token_endpoint_auth_method: client.authMethod,
      scope: '',
      first_party: false,
      metadata: { client_id_metadata_document: true },
    })
    .onConflict()
    .ignore();
}

const strings = (value: unknown, fallback: string[]): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : fallback;

const textArray = `array(select jsonb_array_elements_text(?::jsonb))`;

// One statement. Names are unique: a registered client_name already taken by
// another client gets its client_id appended. On update oidc-provider hands
// back the client's current `client_secret`, which is our stored hash: keep it.
const UPSERT_SQL = `insert into clients
    (id, name, secret_hash, redirect_uris, post_logout_redirect_uris, grant_types, response_types,
     scope, token_endpoint_auth_method, metadata)
  values (
    ?,
    case when exists (select 1 from clients where name = ? and id <> ?) then ? || ' (' || ? || ')' else ? end,
    ?, ${textArray}, ${textArray}, ${textArray}, ${textArray}, ?, ?, ?::jsonb)
  on conflict (id) do update set
    name = excluded.name,
    secret_hash = case when clients.secret_hash is not distinct from ? then clients.secret_hash else excluded.secret_hash end,
    redirect_uris = excluded.redirect_uris,
    post_logout_redirect_uris = excluded.post_logout_redirect_uris,
    grant_types = excluded.grant_types,
    response_types = excluded.response_types,
    scope = excluded.scope,
    token_endpoint_auth_method = excluded.token_endpoint_auth_method,
    metadata = excluded.metadata,
    updated_at = now()`;

/**
 * Stores client metadata from dynamic registration. `hashSecret` turns the
 * plaintext client_secret into what is stored; first_party is never written.
 */
export async function upsertClientMetadata(
  knex: Knex,
  id: string,
  payload: ClientMetadata,
  hashSecret: (secret: string) => string,
): Promise<void> {
  const metadata = Object.fromEntries(Object.entries(payload).filter(([key]) => !COLUMN_FIELDS.has(key)));
  const name = typeof payload.client_name === 'string' && payload.client_name !== '' ? payload.client_name : id;
  const secret = typeof payload.client_secret === 'string' && payload.client_secret !== '' ? payload.client_secret : null;
  await knex.raw(UPSERT_SQL, [
    id,
    name,
    id,
    name,
    id,
    name,
    secret === null ? null : hashSecret(secret),
    JSON.stringify(strings(payload.redirect_uris, [])),
    JSON.stringify(strings(payload.post_logout_redirect_uris, [])),
    JSON.stringify(strings(payload.grant_types, ['authorization_code'])),
    JSON.stringify(strings(payload.response_types, ['code'])),
    typeof payload.scope === 'string' ? payload.scope : '',
    typeof payload.token_endpoint_auth_method === 'string' ? payload.token_endpoint_auth_method : 'client_secret_basic',
    JSON.stringify(metadata),
    secret,
  ]);
}

export async function deleteClient(knex: Knex, id: string): Promise<void> {
  await knex('clients').where({ id }).delete();
}
