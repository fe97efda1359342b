import { contract } from '@latchkey/contract';
import { initServer } from '@ts-rest/express';
import { listAuditEvents, type AuditEventRow } from '../../events/audit-query.ts';
import type { ApiDeps } from '../deps.ts';
import { cursorOf, iso, positionOf } from './request-actor.ts';

const s = initServer();

const eventView = (e: AuditEventRow) => ({
  id: e.id,
  occurred_at: iso(e.occurred_at)!,
  type: e.type,
  actor: { type: e.actor_type, id: e.actor_id },
  subject: e.subject_type && e.subject_id ? { type: e.subject_type, id: e.subject_id } : null,
  client_id: e.client_id,
  ip: e.ip,
  user_agent: e.user_agent,
  data: e.data,
});

/** /api/v1/admin/audit-events: the audit log, newest first, filtered by actor, subject, type and time. */
export function adminAuditEvents(deps: ApiDeps) {
  const { knex } = deps.db;
  const { keyring } = deps;
  return s.router(contract.admin.auditEvents, {
    list: async ({ query }) => {
      const filter = {
        actorType: query.actor_type,
        actorId: query.actor_id,
        subjectType: query.subject_type,
        subjectId: query.subject_id,
        type: query.type,
        occurredAfter: query.occurred_after,
        occurredBefore: query.occurred_before,
      };
      const scope = { route: 'admin.audit-events.list', sort: '-occurred_at', filters: filter };
      const { items, next } = await listAuditEvents(knex, filter, { limit: query.limit, after: positionOf(keyring, scope, query.cursor) });
      return { status: 200, body: { items: items.map(eventView), next_cursor: cursorOf(keyring, scope, next) } };
    },
  });
}
