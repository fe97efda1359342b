import type { Knex } from 'knex';
import {
  deleteApiResourceRow,
  findApiResourceRow,
  insertApiResource,
  updateApiResourceRow,
  type VersionedApiResourceRow,
} from '../db/api-resources.ts';
import { keyset, keysetOrders, pageOf, type KeysetOrder, type Position } from '../db/keyset.ts';
import { selectVersion } from '../db/version.ts';
import { recordActorEvent, type Actor } from '../events/actor.ts';
import { publishAfterCommit } from '../events/publish.ts';
import { HttpError } from '../http/errors.ts';
import { MAX_RESOURCE_TOKEN_TTL } from '../oidc/configuration.ts';
import { builtInApiIdentifier } from '../oidc/resources.ts';
import type { Store } from '../store/index.ts';

/**
 * APIs that receive JWT access tokens (RFC 8707 / RFC 9068): the one
 * implementation behind `latchkey resources …` and
 * /api/v1/admin/resources. Token issuance reads the row on every request,
 * so a change holds on every replica from the commit on. The built-in row
 * (this server's own API) is shown with its real identifier and cannot be
 * changed or deleted: its scopes are what the API's routes check.
 */

export const SIGNING_ALGS = ['RS256', 'ES256'] as const;
export type ResourceSigningAlg = (typeof SIGNING_ALGS)[number];
export const MIN_TOKEN_TTL = 60;
export { MAX_RESOURCE_TOKEN_TTL };
const NAME_MAX = 100;
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ResourceActor = Actor;
/** `store`: where replicas hear that an API changed (their caches drop it); the CLI may have none (caches expire within a second). */
export type ResourceDeps = { knex: Knex; issuer: string; store?: Store };

function announce(deps: ResourceDeps, trx: Knex, resourceId: string): void {
  if (deps.store) publishAfterCommit(trx, deps.store, 'resources:changed', { resourceId });
}

export type ResourceView = {
  id: string;
  identifier: string;
  name: string | null;
  scopes: string[];
  token_ttl: number;
  signing_alg: string;
  built_in: boolean;
  created_at: string;
  updated_at: string;
};

export type VersionedResource = { resource: ResourceView; version: string };

export type ResourceSettings = { name: string | null; scopes: string[]; token_ttl: number; signing_alg: string };
export type NewResourceInput = Partial<ResourceSettings> & { identifier: string };

/** How a caller names the fields in messages (the CLI names its flags). */
export type FieldNames = Partial<Record<'identifier' | 'name' | 'scopes' | 'token_ttl' | 'signing_alg', string>>;
const DEFAULT_NAMES = { identifier: 'identifier', name: 'name', scopes: 'scopes', token_ttl: 'token_ttl', signing_alg: 'signing_alg' };

const invalid = (message: string) => new HttpError(400, 'validation_failed', message);
const missing = (id: string) => new HttpError(404, 'not_found', `no API resource with id "${id}"`);
const taken = (identifier: string) => new HttpError(409, 'conflict', `an API with identifier ${identifier} already exists`);
const stale = () => new HttpError(412, 'precondition_failed', 'the API resource changed since it was read; fetch it again');

export function toResourceView(row: VersionedApiResourceRow, issuer: string): VersionedResource {
  return {
    resource: {
      id: row.id,
      identifier: row.built_in ? builtInApiIdentifier(issuer) : row.identifier,
      name: row.name,
      scopes: row.scopes,
      token_ttl: row.access_token_ttl,
      signing_alg: row.signing_alg,
      built_in: row.built_in,
      created_at: new Date(row.created_at).toISOString(),
      updated_at: new Date(row.updated_at).toISOString(),
    },
    version: row.version,
  };
}

function checkIdentifier(identifier: string, issuer: string, label: string): void {
  let url: URL;
  try {
    url = new URL(identifier);
  } catch {
    throw invalid(`${label} must be an absolute URL such as https://api.example.com`);
  }
  if (!['https:', 'http:'].includes(url.protocol) || url.hash || identifier.includes('#')) {
    throw invalid(`${label} must be an http(s) URL without a fragment`);
  }
  if (identifier === builtInApiIdentifier(issuer)) throw taken(identifier);
}

/** The rules every resource obeys, on create and after every update. */
function settle(settings: ResourceSettings, fieldNames: FieldNames = {}): ResourceSettings {
  const names = { ...DEFAULT_NAMES, ...fieldNames };
  const name = settings.name === null ? null : settings.name.trim() || null;
  if (name !== null && name.length > NAME_MAX) throw invalid(`${names.name} must be at most ${NAME_MAX} characters`);
  const ttl = settings.token_ttl;
  if (!Number.isInteger(ttl) || ttl < MIN_TOKEN_TTL || ttl > MAX_RESOURCE_TOKEN_TTL) {
    throw invalid(`${names.token_ttl} must be a whole number of seconds from ${MIN_TOKEN_TTL} to ${MAX_RESOURCE_TOKEN_TTL}`);
  }
  if (!(SIGNING_ALGS as readonly string[]).includes(settings.signing_alg)) throw invalid(`${names.signing_alg} must be ${SIGNING_ALGS.join(' or ')}`);
  if (settings.scopes.some((s) => !SCOPE_TOKEN.test(s))) throw invalid(`${names.scopes} must be space-separated scope tokens`);
  return { name, token_ttl: ttl, signing_alg: settings.signing_alg, scopes: [...new Set(settings.scopes)] };
}

/** Registers an API by its identifier URL (the audience of its tokens). */
export async function createResource(
  deps: ResourceDeps,
  input: NewResourceInput,
  options: { actor: ResourceActor; fieldNames?: FieldNames },
): Promise<VersionedResource> {
  checkIdentifier(input.identifier, deps.issuer, options.fieldNames?.identifier ?? DEFAULT_NAMES.identifier);
  const settled = settle(
    { name: input.name ?? null, scopes: input.scopes ?? [], token_ttl: input.token_ttl ?? 3600, signing_alg: input.signing_alg ?? 'RS256' },
    options.fieldNames,
  );
  const row = await deps.knex.transaction(async (trx) => {
    const inserted = await insertApiResource(trx, {
      identifier: input.identifier,
      name: settled.name,
      scopes: settled.scopes,
      access_token_ttl: settled.token_ttl,
      signing_alg: settled.signing_alg,
    });
    if (!inserted) return undefined;
    await recordActorEvent(trx, options.actor, {
      type: 'resource.created',
      subject: { type: 'api_resource', id: inserted.id },
      data: { identifier: inserted.identifier, scopes: settled.scopes },
    });
    announce(deps, trx, inserted.id);
    return findApiResourceRow(trx, inserted.id);
  });
  if (!row) throw taken(input.identifier);
  return toResourceView(row, deps.issuer);
}

async function findOrFail(knex: Knex, id: string, options: { forUpdate?: boolean } = {}): Promise<VersionedApiResourceRow> {
  // Not a uuid: no such row (and no cast error from Postgres).
  const row = UUID.test(id) ? await findApiResourceRow(knex, id, options) : undefined;
  if (!row) throw missing(id);
  return row;
}

export type ResourceSort = 'created_at' | '-created_at' | 'identifier' | '-identifier';
export type ResourceFilter = { sort: ResourceSort; identifierPrefix?: string };

const ORDERS: Record<ResourceSort, KeysetOrder> = keysetOrders(
  { created_at: { key: 'created_at', kind: 'timestamptz' }, identifier: { key: 'identifier', kind: 'text' } },
  { id: 'id', idType: 'uuid' },
);

/**
 * One page of resources (filters and sort come from the contract's allowlist).
 * The built-in row sorts and filters by its stored placeholder identifier
 * (urn:latchkey:api), and is shown with its real one.
 */
export async function searchResources(deps: ResourceDeps, filter: ResourceFilter, page: { limit: number; after?: Position }): Promise<{ items: ResourceView[]; next: Position | null }> {
  const query = deps.knex('api_resources').select('*', selectVersion(deps.knex));
  if (filter.identifierPrefix !== undefined) query.whereRaw('starts_with(identifier, ?)', [filter.identifierPrefix]);
  keyset(query, deps.knex, ORDERS[filter.sort], page.after, page.limit);
  const { rows, next } = pageOf((await query) as Array<VersionedApiResourceRow & { keyset_key: string }>, page.limit, (row) => row.id);
  return { items: rows.map((row) => toResourceView(row, deps.issuer).resource), next };
}

export async function getResource(deps: ResourceDeps, id: string): Promise<VersionedResource> {
  return toResourceView(await findOrFail(deps.knex, id), deps.issuer);
}

const builtIn = () => new HttpError(403, 'forbidden', 'the built-in API resource of this server cannot be changed or deleted');

/** Changes name, scopes, token lifetime or signing alg; `expected` is the version its caller read (If-Match). */
export async function updateResource(
  deps: ResourceDeps,
  id: string,
  changes: Partial<ResourceSettings>,
  options: { actor: ResourceActor; expected?: string; fieldNames?: FieldNames },
): Promise<VersionedResource> {
  return deps.knex.transaction(async (trx) => {
    const current = await findOrFail(trx, id, { forUpdate: true });
    if (options.expected !== undefined && options.expected !== current.version) throw stale();
    if (current.built_in) throw builtIn();
    const settled = settle(
      {
        name: changes.name === undefined ? current.name : changes.name,
        scopes: changes.scopes ?? current.scopes,
        token_ttl: changes.token_ttl ?? current.access_token_ttl,
        signing_alg: changes.signing_alg ?? current.signing_alg,
      },
      options.fieldNames,
    );
    const row = await updateApiResourceRow(trx, id, {
      name: settled.name,
      scopes: settled.scopes,
      access_token_ttl: settled.token_ttl,
      signing_alg: settled.signing_alg,
    });
    const changed = Object.keys(changes).filter((key) => changes[key as keyof ResourceSettings] !== undefined).sort();
    await recordActorEvent(trx, options.actor, { type: 'resource.updated', subject: { type: 'api_resource', id }, data: { identifier: current.identifier, changed } });
    announce(deps, trx, id);
    return toResourceView(row, deps.issuer);
  });
}

/** Removes an API: no new tokens for it; tokens already issued expire on their own (they are self-contained JWTs). */
export async function deleteResource(deps: ResourceDeps, id: string, options: { actor: ResourceActor }): Promise<ResourceView> {
  return deps.knex.transaction(async (trx) => {
    const current = await findOrFail(trx, id, { forUpdate: true });
    if (current.built_in) throw builtIn();
    await deleteApiResourceRow(trx, id);
    await recordActorEvent(trx, options.actor, { type: 'resource.deleted', subject: { type: 'api_resource', id }, data: { identifier: current.identifier } });
    announce(deps, trx, id);
    return toResourceView(current, deps.issuer).resource;
  });
}
