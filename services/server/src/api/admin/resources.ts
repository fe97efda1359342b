import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { createResourceWithCredentials } from '../../resources/introspection-client.ts';
import { deleteResource, getResource, searchResources, updateResource } from '../../resources/manage.ts';
import type { ApiDeps } from '../deps.ts';
import { etagOf, requireIfMatch } from '../etag.ts';
import { cursorOf, positionOf, requestActor } from './request-actor.ts';

const s = initServer();

/** /api/v1/admin/resources: thin handlers over src/resources (shared with `latchkey resources create`). */
export function adminResources(deps: ApiDeps) {
  const manage = { knex: deps.db.knex, issuer: deps.config.issuer, store: deps.store };

  return s.router(contract.admin.resources, {
    list: async ({ query }) => {
      const scope = { route: 'admin.resources.list', sort: query.sort, filters: { identifier_prefix: query.identifier_prefix } };
      const { items, next } = await searchResources(
        manage,
        { sort: query.sort, identifierPrefix: query.identifier_prefix },
        { limit: query.limit, after: positionOf(deps.keyring, scope, query.cursor) },
      );
      return { status: 200, body: { items, next_cursor: cursorOf(deps.keyring, scope, next) } };
    },
    get: async ({ params, res }) => {
      const { resource, version } = await getResource(manage, params.id);
      res.setHeader('ETag', etagOf(version));
      return { status: 200, body: resource };
    },
    create: async ({ body, req, res }) => {
      // As the CLI: the API and its introspection client in one transaction, the secret shown only here.
      const { resource, version, credentials } = await createResourceWithCredentials({ ...manage, keyring: deps.keyring }, body, { actor: requestActor(req, res) });
      res.setHeader('ETag', etagOf(version));
      return { status: 201, body: { ...resource, ...credentials } };
    },
    update: async ({ params, headers, body, req, res }) => {
      const expected = requireIfMatch(headers['if-match']);
      const { resource, version } = await updateResource(manage, params.id, body, { actor: requestActor(req, res), expected });
      res.setHeader('ETag', etagOf(version));
      return { status: 200, body: resource };
    },
    delete: async ({ params, req, res }) => {
      await deleteResource(manage, params.id, { actor: requestActor(req, res) });
      return { status: 204, body: undefined };
    },
  });
}
