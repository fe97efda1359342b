import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { createClient, deleteClient, getClient, rotateClientSecret, searchClients, updateClient } from '../../clients/manage.ts';
import { principalOf } from '../authorize.ts';
import type { ApiDeps } from '../deps.ts';
import { etagOf, requireIfMatch } from '../etag.ts';
import { refuseApiScopesBeyondCaller } from './no-escalation.ts';
import { cursorOf, positionOf, requestActor } from './request-actor.ts';

const s = initServer();

const words = (scope: string | undefined) => (scope === undefined ? undefined : scope.split(' ').filter(Boolean));

/** /api/v1/admin/clients: thin handlers over src/clients/manage.ts (shared with `latchkey clients …`). */
export function adminClients(deps: ApiDeps) {
  const { knex } = deps.db;
  const manage = { knex, keyring: deps.keyring, store: deps.store };
  // A client the caller could not have made itself is not theirs to take over (secret, redirect URIs).
  const refuseStrongerClient = async (res: Parameters<typeof principalOf>[0], clientId: string) =>
    refuseApiScopesBeyondCaller(principalOf(res), words((await getClient(knex, clientId)).client.scope) ?? [], 'this client');

  return s.router(contract.admin.clients, {
    list: async ({ query }) => {
      const filters = { type: query.type, grant_type: query.grant_type, first_party: query.first_party, name_prefix: query.name_prefix };
      const scope = { route: 'admin.clients.list', sort: query.sort, filters };
      const { items, next } = await searchClients(
        knex,
        {
          sort: query.sort,
          type: query.type,
          grantType: query.grant_type,
          firstParty: query.first_party === undefined ? undefined : query.first_party === 'true',
          namePrefix: query.name_prefix,
        },
        { limit: query.limit, after: positionOf(deps.keyring, scope, query.cursor) },
      );
      return { status: 200, body: { items, next_cursor: cursorOf(deps.keyring, scope, next) } };
    },
    get: async ({ params, res }) => {
      const { client, version } = await getClient(knex, params.client_id);
      res.setHeader('ETag', etagOf(version));
      return { status: 200, body: client };
    },
    create: async ({ body, req, res }) => {
      const { scope, ...rest } = body;
      refuseApiScopesBeyondCaller(principalOf(res), words(scope) ?? [], 'the client');
      const { client, version, secret } = await createClient(manage, { ...rest, scope: words(scope) }, { actor: requestActor(req, res) });
      res.setHeader('ETag', etagOf(version));
      return { status: 201, body: { ...client, ...(secret ? { client_secret: secret } : {}) } };
    },
    update: async ({ params, headers, body, req, res }) => {
      const expected = requireIfMatch(headers['if-match']);
      const { scope, ...rest } = body;
      refuseApiScopesBeyondCaller(principalOf(res), words(scope) ?? [], 'the client');
      await refuseStrongerClient(res, params.client_id);
      const { client, version } = await updateClient(manage, params.client_id, { ...rest, scope: words(scope) }, { actor: requestActor(req, res), expected });
      res.setHeader('ETag', etagOf(version));
      return { status: 200, body: client };
    },
    delete: async ({ params, req, res }) => {
      await deleteClient(manage, params.client_id, { actor: requestActor(req, res) });
      return { status: 204, body: undefined };
    },
    rotateSecret: async ({ params, req, res }) => {
      await refuseStrongerClient(res, params.client_id);
      const { client, version, secret } = await rotateClientSecret(manage, params.client_id, { actor: requestActor(req, res) });
      res.setHeader('ETag', etagOf(version));
      return { status: 200, body: { ...client, client_secret: secret } };
    },
  });
}
