import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { changePersonalToken, getPersonalToken, listPersonalTokens } from '../../api-tokens/manage.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiProblem } from '../problem.ts';
import { cursorOf, positionOf, requestActor } from './request-actor.ts';

const s = initServer();

const noToken = () => new ApiProblem('not_found', 'no such API token');

/** /api/v1/admin/api-tokens: every user's personal API tokens (src/api-tokens/manage.ts); the token itself is never shown. */
export function adminApiTokens(deps: ApiDeps) {
  const { knex } = deps.db;
  const { keyring } = deps;
  const change = (action: 'revoke' | 'block' | 'unblock') =>
    async ({ params, req, res }: { params: { id: string }; req: Parameters<typeof requestActor>[0]; res: Parameters<typeof requestActor>[1] }) => {
      const view = await changePersonalToken({ knex }, params.id, action, requestActor(req, res));
      if (!view) throw noToken();
      return { status: 200 as const, body: view };
    };
  return s.router(contract.admin.apiTokens, {
    list: async ({ query }) => {
      const filter = { user_id: query.user_id, status: query.status };
      const scope = { route: 'admin.api-tokens.list', sort: query.sort, filters: filter };
      const { items, next } = await listPersonalTokens(
        { knex },
        {
          userId: filter.user_id,
          status: filter.status,
          order: query.sort.startsWith('-') ? 'desc' : 'asc',
          after: positionOf(keyring, scope, query.cursor),
          limit: query.limit,
        },
      );
      return { status: 200, body: { items, next_cursor: cursorOf(keyring, scope, next) } };
    },
    get: async ({ params }) => {
      const view = await getPersonalToken({ knex }, params.id);
      if (!view) throw noToken();
      return { status: 200, body: view };
    },
    revoke: change('revoke'),
    block: change('block'),
    unblock: change('unblock'),
  });
}
