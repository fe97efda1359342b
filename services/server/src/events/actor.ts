import type { Knex } from 'knex';
import { recordAuditEvent, type AuditEvent } from './audit.ts';

/**
 * Who acted, as a shared service gets it: the CLI's operator, or the API's
 * caller (whose `data` names the way in, e.g. a personal API token's id).
 */
export type Actor = Pick<AuditEvent, 'actorUserId' | 'actorType' | 'actorId' | 'clientId' | 'ip' | 'userAgent'> & { data?: Record<string, unknown> };

/** Records `event` as done by `actor`; the actor's detail stays beside the event's own. */
export function recordActorEvent(db: Knex, actor: Actor, event: Omit<AuditEvent, 'actorUserId' | 'actorType' | 'actorId'>): Promise<void> {
  const { data, ...who } = actor;
  return recordAuditEvent(db, { ...who, ...event, data: { ...data, ...event.data } });
}
