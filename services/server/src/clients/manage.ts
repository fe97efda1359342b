import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import { deleteClient as deleteClientRow, findClientByName, findClientRow, insertClient, listClients as listClientRows, updateClientRow, type ClientRow, type VersionedClientRow } from '../db/clients.ts';
import { keyset, keysetOrders, pageOf, type KeysetOrder, type Position } from '../db/keyset.ts';
import { recordActorEvent, type Actor } from '../events/actor.ts';
import { publishAfterCommit } from '../events/publish.ts';
import type { Store } from '../store/index.ts';
import { HttpError } from '../http/errors.ts';
import { ACCOUNT_CONSOLE_CLIENT_ID } from '../oidc/console-client.ts';
import { checkRedirectUris, LOOPBACK_HOSTS } from '../oidc/redirect-uris.ts';

/**
 * Registering and changing OAuth clients: the one implementation behind
 * `latchkey clients …` and /api/v1/admin/clients. Every write and its audit
 * event share a transaction. Nothing is cached: oidc-provider reads a client
 * through the adapter on each use (its own cache is keyed by the row's
 * content), so a change holds on every replica from the commit on.
 *
 * Two kinds of client belong to something else and are guarded here, for
 * the CLI and the API alike: the account console's built-in client (its
 * row is only an anchor for grants; the provider serves a static client, so
 * an edit would do nothing and a delete would sign console users out), and
 * an API resource's introspection client (it must stay unable to get a
 * token: only its name and secret may change, and it goes with its API).
 */

export const GRANT_TYPES = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  client_credentials: 'client_credentials',
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
} as const;

export type GrantType = (typeof GRANT_TYPES)[keyof typeof GRANT_TYPES];
export const GRANT_TYPE_VALUES = Object.values(GRANT_TYPES) as [GrantType, ...GrantType[]];

export const DEFAULT_SCOPE = 'openid offline_access profile email phone';
export const NAME_MAX = 100;
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export type ClientActor = Actor;
/** `store`: where replicas hear that a client changed (their caches drop it); the CLI may have none (caches expire within a second). */
export type ClientDeps = { knex: Knex; keyring: Keyring; store?: Store };

function announce(deps: Pick<ClientDeps, 'store'>, trx: Knex, clientId: string): void {
  if (deps.store) publishAfterCommit(trx, deps.store, 'clients:changed', { clientId });
}

/** What callers see of a client: never the secret or its hash. */
export type ClientView = {
  client_id: string;
  name: string;
  type: 'confidential' | 'public';
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  scope: string;
  first_party: boolean;
  built_in: boolean;
  introspects_resource_id: string | null;
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: boolean;
  created_at: string;
  updated_at: string;
};

export type ClientSettings = {
  name: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  scope: string[];
  first_party: boolean;
};

/** A client with its version (for ETag / If-Match). */
export type VersionedClient = { client: ClientView; version: string };

export type NewClientInput = Partial<ClientSettings> & { name: string; type: 'confidential' | 'public' } & BackchannelSettings;

/**
 * OpenID Back-Channel Logout set by an operator: the URI is also kept as
 * `operator_backchannel_logout_uri`, which marks it operator-trusted (it may
 * be private; db/backchannel-logouts.ts). null removes it.
 */
export type BackchannelSettings = { backchannel_logout_uri?: string | null; backchannel_logout_session_required?: boolean };

function backchannelMetadata(settings: BackchannelSettings, current: Record<string, unknown> = {}, fieldNames: FieldNames = {}): Record<string, unknown> {
  const { backchannel_logout_uri: currentUri, operator_backchannel_logout_uri: _o, backchannel_logout_session_required: currentRequired, ...rest } = current;
  const uri = settings.backchannel_logout_uri;
  if (uri === undefined) {
    // The URI is not being set: it keeps its trust (and is not judged again); only the sid setting may change.
    if (!currentUri) return rest;
    const required = settings.backchannel_logout_session_required;
    return required === undefined ? current : { ...current, backchannel_logout_session_required: required };
  }
  if (!uri) return rest;
  const name = fieldNames.backchannel_logout_uri ?? DEFAULT_NAMES.backchannel_logout_uri;
  const parsed = URL.parse(uri);
  if (!parsed || uri.includes('#') || parsed.username || parsed.password) throw invalid(`${name} must be an absolute URL without a fragment or credentials`);
  // Logout tokens end sessions: sent in the clear only to this machine, for development (as redirect URIs).
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname))) {
    throw invalid(`${name} must use https (http is allowed only for localhost, 127.0.0.1 or [::1])`);
  }
  const required = settings.backchannel_logout_session_required ?? (currentRequired as boolean | undefined) ?? true;
  return { ...rest, backchannel_logout_uri: uri, operator_backchannel_logout_uri: uri, backchannel_logout_session_required: required };
}

/** How a caller names the fields in messages (the CLI names its flags). */
export type FieldNames = Partial<Record<'name' | 'redirect_uris' | 'scope' | 'backchannel_logout_uri', string>>;
const DEFAULT_NAMES = { name: 'name', redirect_uris: 'redirect URI', scope: 'scope', backchannel_logout_uri: 'backchannel_logout_uri' };

const invalid = (message: string) => new HttpError(400, 'validation_failed', message);

const versioned = (row: VersionedClientRow): VersionedClient => ({ client: toClientView(row), version: row.version });

export function toClientView(row: ClientRow): ClientView {
  return {
    client_id: row.id,
    name: row.name,
    type: row.secret_hash ? 'confidential' : 'public',
    redirect_uris: row.redirect_uris,
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    grant_types: row.grant_types,
    scope: row.scope,
    first_party: row.first_party,
    built_in: row.id === ACCOUNT_CONSOLE_CLIENT_ID,
    introspects_resource_id: row.introspects_resource_id ?? null,
    backchannel_logout_uri: typeof row.metadata?.backchannel_logout_uri === 'string' ? row.metadata.backchannel_logout_uri : null,
    backchannel_logout_session_required: row.metadata?.backchannel_logout_session_required === true,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** The rules every client obeys, on create and after every update; returns the columns they decide. */
function settle(settings: ClientSettings, isPublic: boolean, fieldNames: FieldNames = {}) {
  const names = { ...DEFAULT_NAMES, ...fieldNames };
  const name = settings.name.trim();
  if (!name || name.length > NAME_MAX) throw invalid(`${names.name} must be 1 to ${NAME_MAX} characters`);
  const grantTypes = [...new Set(settings.grant_types)];
  const unknown = grantTypes.find((grant) => !(GRANT_TYPE_VALUES as string[]).includes(grant));
  if (unknown !== undefined) throw invalid(`unknown grant type "${unknown}"`);
  if (isPublic && grantTypes.includes(GRANT_TYPES.client_credentials)) {
    throw invalid('a public client cannot use client_credentials (it has no secret)');
  }
  if (grantTypes.includes(GRANT_TYPES.authorization_code) && settings.redirect_uris.length === 0) {
    throw invalid(`authorization_code needs at least one ${names.redirect_uris}`);
  }
  const problems = checkRedirectUris([...settings.redirect_uris, ...settings.post_logout_redirect_uris], { isPublic });
  if (problems.length) throw invalid(problems.map((p) => `redirect URI ${p.uri} ${p.reason}`).join('; '));
  if (settings.scope.some((s) => !SCOPE_TOKEN.test(s))) throw invalid(`${names.scope} must be space-separated scope tokens`);
  const native = settings.redirect_uris.some((uri) => !/^https?:/.test(uri));
  return {
    name,
    redirect_uris: [...new Set(settings.redirect_uris)],
    post_logout_redirect_uris: [...new Set(settings.post_logout_redirect_uris)],
    grant_types: grantTypes,
    response_types: grantTypes.includes(GRANT_TYPES.authorization_code) ? ['code'] : [],
    scope: [...new Set(settings.scope)].join(' '),
    first_party: settings.first_party,
    application_type: native ? 'native' : 'web',
  };
}

const newSecret = () => randomBytes(32).toString('base64url');
const taken = (name: string) => new HttpError(409, 'conflict', `a client named "${name}" already exists`);
const missing = (id: string) => new HttpError(404, 'not_found', `no client with id or name "${id}"`);
const forbidden = (message: string) => new HttpError(403, 'forbidden', message);

/** The account console's client cannot be changed, deleted or given a new secret. */
function refuseBuiltIn(row: ClientRow, action: string): void {
  if (row.id === ACCOUNT_CONSOLE_CLIENT_ID) {
    throw forbidden(`${row.id} is the account console's built-in client and cannot be ${action}`);
  }
}

/** An API resource's introspection client: `why` says what may be done instead. */
function refuseIntrospectionClient(row: ClientRow, why: string): void {
  if (row.introspects_resource_id) throw forbidden(`client ${row.id} is the introspection client of an API resource: ${why}`);
}

/** Registers a client. A confidential client's secret is returned once and stored only as a keyed hash. */
export async function createClient(
  deps: ClientDeps,
  input: NewClientInput,
  options: { actor: ClientActor; fieldNames?: FieldNames },
): Promise<VersionedClient & { secret?: string }> {
  const isPublic = input.type === 'public';
  const settled = settle(
    {
      name: input.name,
      redirect_uris: input.redirect_uris ?? [],
      post_logout_redirect_uris: input.post_logout_redirect_uris ?? [],
      grant_types: input.grant_types ?? [GRANT_TYPES.authorization_code, GRANT_TYPES.refresh_token],
      scope: input.scope ?? DEFAULT_SCOPE.split(' '),
      first_party: input.first_party ?? false,
    },
    isPublic,
    options.fieldNames,
  );
  const id = randomBytes(16).toString('base64url');
  const secret = isPublic ? undefined : newSecret();
  const { application_type, ...columns } = settled;
  const row = await deps.knex.transaction(async (trx) => {
    const inserted = await insertClient(trx, {
      id,
      ...columns,
      secret_hash: secret ? deps.keyring.hash('client-secret', secret) : null,
      token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
      metadata: { application_type, ...backchannelMetadata(input, {}, options.fieldNames) },
    });
    if (!inserted) return undefined;
    const data = { name: columns.name, type: input.type, grant_types: columns.grant_types, redirect_uris: columns.redirect_uris, first_party: columns.first_party };
    await recordActorEvent(trx, options.actor, { type: 'client.created', subject: { type: 'client', id }, clientId: id, data });
    announce(deps, trx, id);
    return findClientRow(trx, id);
  });
  if (!row) throw taken(columns.name);
  return { ...versioned(row), ...(secret ? { secret } : {}) };
}

/** Every client, oldest first (the CLI's list; the API pages through clients instead). */
export async function listClients(knex: Knex): Promise<ClientView[]> {
  return (await listClientRows(knex)).map(toClientView);
}

export type ClientSort = 'created_at' | '-created_at' | 'name' | '-name';
export type ClientFilter = { sort: ClientSort; type?: 'confidential' | 'public'; grantType?: string; firstParty?: boolean; namePrefix?: string };

const ORDERS: Record<ClientSort, KeysetOrder> = keysetOrders(
  { created_at: { key: 'created_at', kind: 'timestamptz' }, name: { key: 'name', kind: 'text' } },
  { id: 'id', idType: 'text' },
);

/** One page of clients matching every filter (filters and sort come from the contract's allowlist). */
export async function searchClients(knex: Knex, filter: ClientFilter, page: { limit: number; after?: Position }): Promise<{ items: ClientView[]; next: Position | null }> {
  const query = knex('clients').select('*');
  if (filter.type) query.where(filter.type === 'public' ? knex.raw('secret_hash is null') : knex.raw('secret_hash is not null'));
  if (filter.grantType !== undefined) query.whereRaw('? = any (grant_types)', [filter.grantType]);
  if (filter.firstParty !== undefined) query.where({ first_party: filter.firstParty });
  if (filter.namePrefix !== undefined) query.whereRaw('starts_with(name, ?)', [filter.namePrefix]);
  keyset(query, knex, ORDERS[filter.sort], page.after, page.limit);
  const { rows, next } = pageOf((await query) as Array<ClientRow & { keyset_key: string }>, page.limit, (row) => row.id);
  return { items: rows.map(toClientView), next };
}

export async function getClient(knex: Knex, id: string): Promise<VersionedClient> {
  const row = await findClientRow(knex, id);
  if (!row) throw missing(id);
  return versioned(row);
}

/**
 * Changes a client's settings. `expected` is the updated_at its caller last
 * read (the API's If-Match): the row changes only if nobody changed it since,
 * else 412. The result obeys the same rules as a new client.
 */
export async function updateClient(
  deps: ClientDeps,
  id: string,
  changes: Partial<ClientSettings> & BackchannelSettings,
  options: { actor: ClientActor; expected?: string; fieldNames?: FieldNames },
): Promise<VersionedClient> {
  return deps.knex.transaction(async (trx) => {
    const current = await findClientRow(trx, id, { forUpdate: true });
    if (!current) throw missing(id);
    if (options.expected !== undefined && options.expected !== current.version) {
      throw new HttpError(412, 'precondition_failed', 'the client changed since it was read; fetch it again');
    }
    refuseBuiltIn(current, 'changed');
    const settingsChanged = (Object.keys(changes) as Array<keyof ClientSettings>).some((key) => key !== 'name' && changes[key] !== undefined);
    if (settingsChanged) refuseIntrospectionClient(current, 'only its name and secret can change (it must never get a token or start a flow)');
    const merged: ClientSettings = {
      name: changes.name ?? current.name,
      redirect_uris: changes.redirect_uris ?? current.redirect_uris,
      post_logout_redirect_uris: changes.post_logout_redirect_uris ?? current.post_logout_redirect_uris,
      grant_types: changes.grant_types ?? current.grant_types,
      scope: changes.scope ?? current.scope.split(' ').filter(Boolean),
      first_party: changes.first_party ?? current.first_party,
    };
    const { application_type, ...columns } = settle(merged, current.secret_hash === null, options.fieldNames);
    if (columns.name !== current.name && (await trx('clients').where({ name: columns.name }).whereNot({ id }).first('id'))) throw taken(columns.name);
    const row = await updateClientRow(trx, id, { ...columns, metadata: { ...backchannelMetadata(changes, current.metadata, options.fieldNames), application_type } });
    const changed = Object.keys(changes).filter((key) => changes[key as keyof ClientSettings] !== undefined).sort();
    await recordActorEvent(trx, options.actor, { type: 'client.updated', subject: { type: 'client', id }, clientId: id, data: { changed } });
    announce(deps, trx, id);
    return versioned(row);
  });
}

/**
 * Replaces a confidential client's secret: the new one is returned once; the
 * old one stops working at the commit (the token endpoint verifies against
 * the stored hash on every request).
 */
export async function rotateClientSecret(
  deps: ClientDeps,
  id: string,
  options: { actor: ClientActor; expected?: string },
): Promise<VersionedClient & { secret: string }> {
  return deps.knex.transaction(async (trx) => {
    const current = await findClientRow(trx, id, { forUpdate: true });
    if (!current) throw missing(id);
    if (options.expected !== undefined && options.expected !== current.version) {
      throw new HttpError(412, 'precondition_failed', 'the client changed since it was read; fetch it again');
    }
    refuseBuiltIn(current, 'given a new secret');
    if (current.secret_hash === null) throw new HttpError(409, 'conflict', 'a public client has no secret to rotate');
    const secret = newSecret();
    const row = await updateClientRow(trx, id, { secret_hash: deps.keyring.hash('client-secret', secret) });
    await recordActorEvent(trx, options.actor, { type: 'client.secret_rotated', subject: { type: 'client', id }, clientId: id });
    announce(deps, trx, id);
    return { ...versioned(row), secret };
  });
}

/**
 * Deletes a client; its tokens, codes and grants go with it (foreign keys
 * cascade), so nothing it was issued works any more. The CLI may name it
 * (`byName`: an id first, else a name); the API names clients by id only.
 */
export async function deleteClient(
  deps: Pick<ClientDeps, 'knex' | 'store'>,
  idOrName: string,
  options: { actor: ClientActor; byName?: boolean },
): Promise<ClientView> {
  const row = await deps.knex.transaction(async (trx) => {
    const target = (await findClientRow(trx, idOrName)) ?? (options.byName ? await findClientByName(trx, idOrName) : undefined);
    if (target) {
      refuseBuiltIn(target, 'deleted');
      refuseIntrospectionClient(target, 'it is deleted with its API resource');
    }
    const deleted = target && (await deleteClientRow(trx, target.id));
    if (deleted) {
      await recordActorEvent(trx, options.actor, { type: 'client.deleted', subject: { type: 'client', id: deleted.id }, clientId: deleted.id, data: { name: deleted.name } });
      announce(deps, trx, deleted.id);
    }
    return deleted;
  });
  if (!row) throw missing(idOrName);
  return toClientView(row);
}
