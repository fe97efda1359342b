import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import type { ApiDeps } from '../deps.ts';
import { etagOf, requireIfMatch } from '../etag.ts';
import { createScope, describeScope, getScope, listScopes, removeScope, toScopeView } from '../../scopes/manage.ts';
import { cursorOf, positionOf, requestActor } from './request-actor.ts';

const s = initServer();

/** /api/v1/admin/scopes: thin handlers over src/scopes/manage.ts (shared with `latchkey scopes create`). */
export function adminScopes(deps: ApiDeps) {
  const { knex } = deps.db;
  const { keyring } = deps;

  return s.router(contract.admin.scopes, {
    list: async ({ query }) => {
      const scope = { route: 'admin.scopes.list', sort: query.sort, filters: { prefix: query.prefix } };
      const { items, next } = await listScopes(knex, { sort: query.sort, prefix: query.prefix }, { limit: query.limit, after: positionOf(keyring, scope, query.cursor) });
      return { status: 200, body: { items: items.map(toScopeView), next_cursor: cursorOf(keyring, scope, next) } };
    },
    get: async ({ params, res }) => {
      const row = await getScope(knex, params.name);
      res.setHeader('ETag', etagOf(row.version));
      return { status: 200, body: toScopeView(row) };
    },
    create: async ({ body, req, res }) => {
      const row = await createScope(knex, body, requestActor(req, res));
      res.setHeader('ETag', etagOf(row.version));
      return { status: 201, body: toScopeView(row) };
    },
    update: async ({ params, headers, body, req, res }) => {
      const version = requireIfMatch(headers['if-match']);
      const row = await describeScope(knex, params.name, version, body.description, requestActor(req, res));
      res.setHeader('ETag', etagOf(row.version));
      return { status: 200, body: toScopeView(row) };
    },
    delete: async ({ params, req, res }) => {
      await removeScope(knex, params.name, requestActor(req, res));
      return { status: 204, body: undefined };
    },
  });
}
