import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { changePassword } from '../../account/password-change.ts';
import type { ApiDeps } from '../deps.ts';
import { accountActor, accountCall } from './account-call.ts';

const s = initServer();

/**
 * /api/v1/me/password (src/account/password-change.ts). Access tokens name
 * no browser session, so every session is signed out unless the caller
 * names one to keep.
 */
export function mePassword(deps: ApiDeps) {
  return s.router(contract.me.password, {
    change: async ({ body, req, res }) => {
      const result = await accountCall(() =>
        changePassword(deps, accountActor(req, res), { currentPassword: body.current_password, newPassword: body.new_password, keepSessionId: body.keep_session_id }),
      );
      return { status: 200, body: result };
    },
  });
}
