import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { listKeys, revokeKey, rotateKeys } from '../../keys/manage.ts';
import type { ApiDeps } from '../deps.ts';
import { requestActor } from './request-actor.ts';

const s = initServer();

/** /api/v1/admin/keys: thin handlers over src/keys/manage.ts (shared with `latchkey keys …`). */
export function adminKeys(deps: ApiDeps) {
  const manage = { db: deps.db, keyring: deps.keyring, store: deps.store };

  return s.router(contract.admin.keys, {
    list: async ({ query }) => {
      const items = (await listKeys(manage)).filter((key) => (!query.status || key.status === query.status) && (!query.alg || key.alg === query.alg));
      return { status: 200, body: { items } };
    },
    rotate: async ({ body, req, res }) => {
      const rotated = await rotateKeys(manage, { actor: requestActor(req, res), immediate: body.now === true });
      return { status: 200, body: { rotated } };
    },
    revoke: async ({ params, req, res }) => {
      return { status: 200, body: await revokeKey(manage, params.kid, { actor: requestActor(req, res) }) };
    },
  });
}
