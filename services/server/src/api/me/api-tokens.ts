import { API_SCOPE_NAMES, contract, type ApiScope } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { changePersonalToken, createPersonalToken, listPersonalTokens } from '../../api-tokens/manage.ts';
import { cursorOf, positionOf, requestActor } from '../admin/request-actor.ts';
import { principalOf } from '../authorize.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiProblem } from '../problem.ts';

const s = initServer();

/** /api/v1/me/api-tokens: the caller's own personal API tokens (src/api-tokens/manage.ts, shared with the console). */
export function meApiTokens(deps: ApiDeps) {
  const { knex } = deps.db;
  const { keyring } = deps;
  return s.router(contract.me.apiTokens, {
    list: async ({ query, res }) => {
      const userId = principalOf(res).userId!;
      const filter = { status: query.status };
      const scope = { route: 'me.api-tokens.list', sort: query.sort, filters: { ...filter, userId } };
      const { items, next } = await listPersonalTokens(
        { knex },
        { userId, ...filter, order: query.sort.startsWith('-') ? 'desc' : 'asc', after: positionOf(keyring, scope, query.cursor), limit: query.limit },
      );
      return { status: 200, body: { items, next_cursor: cursorOf(keyring, scope, next) } };
    },
    create: async ({ body, req, res }) => {
      const principal = principalOf(res);
      // A token never mints a stronger one: the API's own scopes (admin, account) only if the calling
      // token carries them. The owner's other scopes (for their APIs) the service checks against the account.
      const beyondCaller = body.scopes.filter((scope) => API_SCOPE_NAMES.includes(scope as ApiScope) && !principal.scopes.includes(scope));
      if (beyondCaller.length) throw new ApiProblem('forbidden', `the token you called with does not carry: ${beyondCaller.join(' ')}`);
      const created = await createPersonalToken(
        { knex, keyring },
        { userId: principal.userId!, name: body.name, scopes: body.scopes, expiresInDays: body.expires_in_days },
        requestActor(req, res),
      );
      if (!created.ok) {
        if (created.problem === 'conflict') throw new ApiProblem('conflict', created.detail);
        if (created.problem === 'invalid') throw new ApiProblem('validation_failed', created.detail);
        // scope_not_held, or an account that stopped being usable since authentication.
        throw new ApiProblem('forbidden', created.detail);
      }
      res.setHeader('Cache-Control', 'no-store');
      return { status: 201, body: { api_token: created.view, token: created.token } };
    },
    revoke: async ({ params, req, res }) => {
      const revoked = await changePersonalToken({ knex }, params.id, 'revoke', requestActor(req, res), principalOf(res).userId!);
      if (!revoked) throw new ApiProblem('not_found', 'no such API token of yours');
      return { status: 204, body: undefined };
    },
  });
}
