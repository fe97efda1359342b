import type { Knex } from 'knex';
import { recordAuditEvent, type AuditEvent } from './audit.ts';

/**
 * Who acted, as a shared service gets it: a user, a client, the operator
 * (CLI) or the system; `clientId` the app they acted through, `data` extra
 * detail about the actor (e.g. which personal API token).
 */
export type Actor = Pick<AuditEvent, 'actorUserId' | 'actorType' | 'actorId' | 'clientId' | 'ip' | 'userAgent'> & { data?: Record<string, unknown> };

/**
 * Records `event` as done by `actor`: the actor's data goes under the
 * event's own, and an event that names its own client (a grant's app) keeps it.
 */
export function recordActorEvent(db: Knex, actor: Actor, event: Omit<AuditEvent, 'actorUserId' | 'actorType' | 'actorId'>): Promise<void> {
  const { data, ...who } = actor;
  return recordAuditEvent(db, { ...who, ...event, data: { ...data, ...event.data } });
}
