import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { listSessions, revokeOwnSession, signOutOtherSessions } from '../../account/sessions.ts';
import type { ApiDeps } from '../deps.ts';
import { accountActor, accountCall } from './account-call.ts';

const s = initServer();

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/**
 * /api/v1/me/sessions (src/account/sessions.ts). oidc-provider's JWT access
 * tokens carry no session id, so an API call has no "current" session:
 * "sign out the others" takes the one to keep explicitly.
 */
export function meSessions(deps: ApiDeps) {
  return s.router(contract.me.sessions, {
    list: async ({ req, res }) => {
      const sessions = await listSessions(deps, accountActor(req, res).userId);
      const items = sessions.map(({ current: _current, ...session }) => ({
        ...session,
        created_at: session.created_at.toISOString(),
        last_activity_at: session.last_activity_at.toISOString(),
        expires_at: iso(session.expires_at),
      }));
      return { status: 200, body: { items } };
    },
    revoke: async ({ params, req, res }) => {
      await accountCall(() => revokeOwnSession(deps, accountActor(req, res), params.id), 'params');
      return { status: 204, body: undefined };
    },
    revokeOthers: async ({ body, req, res }) => {
      const result = await accountCall(() => signOutOtherSessions(deps, accountActor(req, res), body.keep_session_id));
      return { status: 200, body: result };
    },
  });
}
