import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { listGrants, revokeGrantById, type GrantSummary } from '../../accounts/grants.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiProblem } from '../problem.ts';
import { cursorOf, iso, positionOf, requestActor } from './request-actor.ts';

const s = initServer();

const grantView = (g: GrantSummary) => ({
  id: g.id,
  user_id: g.user_id,
  client_id: g.client_id,
  scopes: g.scopes,
  resources: g.resources,
  created_at: iso(g.created_at)!,
  expires_at: iso(g.expires_at),
  revoked_at: iso(g.revoked_at),
});

/** /api/v1/admin/grants: a revoked grant takes its access and refresh tokens and codes with it, on every replica at once. */
export function adminGrants(deps: ApiDeps) {
  const { knex } = deps.db;
  const { keyring } = deps;
  return s.router(contract.admin.grants, {
    list: async ({ query }) => {
      const filter = { userId: query.user_id, clientId: query.client_id, status: query.status };
      const scope = { route: 'admin.grants.list', sort: query.sort, filters: filter };
      const { items, next } = await listGrants(knex, { ...filter, sort: query.sort }, { limit: query.limit, after: positionOf(keyring, scope, query.cursor) });
      return { status: 200, body: { items: items.map(grantView), next_cursor: cursorOf(keyring, scope, next) } };
    },
    revoke: async ({ params, body, req, res }) => {
      const result = await revokeGrantById({ knex }, params.id, { actor: requestActor(req, res), reason: body.reason ?? 'revoked_by_admin' });
      if (!result.ok) throw result.problem === 'revoked' ? new ApiProblem('conflict', 'the grant is already revoked') : new ApiProblem('not_found', 'no such grant');
      return { status: 204, body: undefined };
    },
  });
}
