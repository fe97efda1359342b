import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { listApps, revokeApp } from '../../account/apps.ts';
import type { ApiDeps } from '../deps.ts';
import { accountActor, accountCall } from './account-call.ts';

const s = initServer();

/** /api/v1/me/apps: the apps the caller has granted access (src/account/apps.ts). */
export function meApps(deps: ApiDeps) {
  return s.router(contract.me.apps, {
    list: async ({ req, res }) => {
      const apps = await listApps(deps, accountActor(req, res).userId);
      const items = apps.map((app) => ({
        ...app,
        first_granted_at: app.first_granted_at.toISOString(),
        last_granted_at: app.last_granted_at.toISOString(),
        expires_at: app.expires_at ? app.expires_at.toISOString() : null,
      }));
      return { status: 200, body: { items } };
    },
    revoke: async ({ params, req, res }) => {
      await accountCall(() => revokeApp(deps, accountActor(req, res), params.client_id), 'params');
      return { status: 204, body: undefined };
    },
  });
}
