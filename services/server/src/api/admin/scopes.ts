import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import type { ApiDeps } from '../deps.ts';
import { auditActor, principalOf } from '../authorize.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { etagOf, requireIfMatch } from '../etag.ts';
import { createScope, describeScope, getScope, listScopes, removeScope, toScopeView } from '../../scopes/manage.ts';

const s = initServer();

/** /api/v1/admin/scopes: thin handlers over src/scopes/manage.ts (shared with `latchkey scopes create`). */
export function adminScopes(deps: ApiDeps) {
  const { knex } = deps.db;
  const actor = (res: Parameters<typeof principalOf>[0], req: { ip?: string; headers: Record<string, unknown> }) => ({
    ...auditActor(principalOf(res)),
    ip: req.ip,
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
  });

  return s.router(contract.admin.scopes, {
    list: async ({ query }) => {
      const scope = { route: 'admin.scopes.list', sort: query.sort, filters: { prefix: query.prefix } };
      const after = query.cursor ? decodeCursor(deps.keyring, scope, query.cursor) : undefined;
      const rows = await listScopes(knex, { sort: query.sort, prefix: query.prefix, limit: query.limit, after });
      const items = rows.slice(0, query.limit);
      const last = items.at(-1);
      const more = rows.length > query.limit && last;
      const position = last ? (query.sort.endsWith('created_at') ? [last.created_micros, last.name] : [last.name]) : [];
      return { status: 200, body: { items: items.map(toScopeView), next_cursor: more ? encodeCursor(deps.keyring, scope, position) : null } };
    },
    get: async ({ params, res }) => {
      const row = await getScope(knex, params.name);
      res.setHeader('ETag', etagOf(row.version));
      return { status: 200, body: toScopeView(row) };
    },
    create: async ({ body, req, res }) => {
      const row = await createScope(knex, body, actor(res, req));
      res.setHeader('ETag', etagOf(row.version));
      return { status: 201, body: toScopeView(row) };
    },
    update: async ({ params, headers, body, req, res }) => {
      const version = requireIfMatch(headers['if-match']);
      const row = await describeScope(knex, params.name, version, body.description, actor(res, req));
      res.setHeader('ETag', etagOf(row.version));
      return { status: 200, body: toScopeView(row) };
    },
    delete: async ({ params, req, res }) => {
      await removeScope(knex, params.name, actor(res, req));
      return { status: 204, body: undefined };
    },
  });
}
