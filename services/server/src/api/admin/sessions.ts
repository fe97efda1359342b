import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { findSessionByUid, listSessions, type AdminSession } from '../../sessions/list.ts';
import { revokeSession } from '../../sessions/revoke.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiProblem } from '../problem.ts';
import { cursorOf, iso, positionOf, requestActor } from './request-actor.ts';

const s = initServer();

const sessionView = (s: AdminSession) => ({
  id: s.id,
  user_id: s.user_id,
  status: s.status,
  browser: s.browser,
  os: s.os,
  device: s.device,
  ip: s.ip,
  created_at: iso(s.created_at)!,
  last_activity_at: iso(s.last_activity_at)!,
  expires_at: iso(s.expires_at),
  revoked_at: iso(s.revoked_at),
  revoked_reason: s.revoked_reason,
});

/** /api/v1/admin/sessions: revoking is the CLI's `sessions revoke` (sessions/revoke.ts): every replica refuses the session at once. */
export function adminSessions(deps: ApiDeps) {
  const { knex } = deps.db;
  const { store, keyring } = deps;
  return s.router(contract.admin.sessions, {
    list: async ({ query }) => {
      const filter = { userId: query.user_id, status: query.status };
      const scope = { route: 'admin.sessions.list', sort: query.sort, filters: filter };
      const { items, next } = await listSessions(knex, { ...filter, sort: query.sort }, { limit: query.limit, after: positionOf(keyring, scope, query.cursor) });
      return { status: 200, body: { items: items.map(sessionView), next_cursor: cursorOf(keyring, scope, next) } };
    },
    revoke: async ({ params, body, req, res }) => {
      const before = await findSessionByUid(knex, params.id);
      if (!before) throw new ApiProblem('not_found', 'no such session');
      const revoked = await revokeSession({ knex, store }, params.id, body.reason ?? 'revoked_by_admin', requestActor(req, res));
      if (!revoked) throw new ApiProblem('conflict', 'the session is already revoked');
      const after = await findSessionByUid(knex, params.id);
      return { status: 200, body: sessionView(after ?? before) };
    },
  });
}
