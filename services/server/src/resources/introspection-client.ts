import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import { insertClient } from '../db/clients.ts';
import { recordActorEvent } from '../events/actor.ts';
import { createResource, type FieldNames, type NewResourceInput, type ResourceActor, type ResourceDeps, type VersionedResource } from './manage.ts';

/**
 * An API resource's own credentials for the introspection endpoint: a
 * confidential client linked to the resource (clients.introspects_resource_id)
 * with no grant types and no redirect URIs, so it can obtain no token and
 * start no flow. It can introspect tokens whose audience is its resource and
 * personal API tokens carrying the resource's scopes (oidc/introspection.ts).
 * With `signals`, it may also use client credentials for the `ssf` scope
 * alone: the API then receives its Shared Signals as this client, and its
 * stream's audience is the API (src/signals/streams.ts), so session ids in
 * events match the `sid` of the API's tokens.
 * The secret is shown once (POST /api/v1/admin/clients/{id}/secret replaces
 * it); the client goes when its resource is deleted, and the clients service
 * refuses to delete it or give it grants or redirect URIs (clients/manage.ts).
 */

export type IntrospectionCredentials = { introspection_client_id: string; introspection_client_secret: string };

export async function issueIntrospectionClient(
  knex: Knex,
  keyring: Keyring,
  resource: { id: string; identifier: string },
  actor: ResourceActor,
  options: { signals?: boolean } = {},
): Promise<IntrospectionCredentials> {
  const id = randomBytes(16).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  // Client names are unique; the id suffix keeps this one so whatever other clients are called.
  const name = `${resource.identifier.slice(0, 150)} introspection (${id.slice(0, 8)})`;
  const inserted = await insertClient(knex, {
    id,
    name,
    secret_hash: keyring.hash('client-secret', secret),
    redirect_uris: [],
    post_logout_redirect_uris: [],
    grant_types: options.signals ? ['client_credentials'] : [],
    response_types: [],
    scope: options.signals ? 'ssf' : '',
    token_endpoint_auth_method: 'client_secret_basic',
    first_party: false,
    metadata: {},
  });
  if (!inserted) throw new Error('could not create the introspection client');
  await knex('clients').where({ id }).update({ introspects_resource_id: resource.id });
  // Through the actor helper: an API caller's detail (e.g. its personal token id) stays in the event.
  await recordActorEvent(knex, actor, {
    type: 'client.created',
    subject: { type: 'client', id },
    clientId: id,
    data: { name, introspects_resource: resource.identifier, ...(options.signals ? { signals: true } : {}) },
  });
  return { introspection_client_id: id, introspection_client_secret: secret };
}

/** Registers an API and its introspection client in one transaction. */
export async function createResourceWithCredentials(
  deps: ResourceDeps & { keyring: Keyring },
  input: NewResourceInput,
  options: { actor: ResourceActor; fieldNames?: FieldNames; signals?: boolean },
): Promise<VersionedResource & { credentials: IntrospectionCredentials }> {
  return deps.knex.transaction(async (trx) => {
    const created = await createResource({ knex: trx, issuer: deps.issuer }, input, options);
    const credentials = await issueIntrospectionClient(trx, deps.keyring, created.resource, options.actor, { signals: options.signals });
    return { ...created, credentials };
  });
}
