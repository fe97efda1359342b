import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { listIdentities, unlinkIdentity } from '../../account/identities.ts';
import { enabledMethods } from '../../interactions/methods.ts';
import type { ApiDeps } from '../deps.ts';
import { accountActor, accountCall } from './account-call.ts';

const s = initServer();

/** /api/v1/me/identities: linked social identities (src/account/identities.ts); linking needs the browser (the console). */
export function meIdentities(deps: ApiDeps) {
  const methods = enabledMethods(deps.config);
  return s.router(contract.me.identities, {
    list: async ({ req, res }) => {
      const identities = await listIdentities(deps, accountActor(req, res).userId);
      const items = identities.map((identity) => ({
        ...identity,
        linked_at: identity.linked_at.toISOString(),
        last_used_at: identity.last_used_at ? identity.last_used_at.toISOString() : null,
      }));
      return { status: 200, body: { items } };
    },
    unlink: async ({ params, req, res }) => {
      await accountCall(() => unlinkIdentity({ ...deps, methods }, accountActor(req, res), params.id, { recentSecondFactor: false }), 'params');
      return { status: 204, body: undefined };
    },
  });
}
