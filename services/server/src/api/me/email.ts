import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { confirmEmailChange, startEmailChange } from '../../account/email-change.ts';
import type { ApiDeps } from '../deps.ts';
import { etagOf } from '../etag.ts';
import { accountActor, accountCall } from './account-call.ts';
import { profileView } from './profile.ts';

const s = initServer();

/** /api/v1/me/email: change the address, proved by a code mailed to the new one (src/account/email-change.ts). */
export function meEmail(deps: ApiDeps) {
  return s.router(contract.me.email, {
    start: async ({ body, req, res }) => {
      const started = await accountCall(() => startEmailChange(deps, accountActor(req, res), body.email));
      return { status: 202, body: { email: started.email, expires_at: started.expires_at.toISOString() } };
    },
    confirm: async ({ body, req, res }) => {
      const profile = await accountCall(() => confirmEmailChange(deps, accountActor(req, res), body));
      res.setHeader('ETag', etagOf(profile.version));
      return { status: 200, body: profileView(profile) };
    },
  });
}
