import type { Knex } from 'knex';
import { keyset, pageOf, type Position } from '../db/keyset.ts';

/** The audit log read back (admin API), newest first: read-only, as the table itself is append-only. */

export type AuditEventRow = {
  id: string;
  occurred_at: Date;
  type: string;
  actor_type: 'user' | 'client' | 'operator' | 'system';
  actor_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  data: Record<string, unknown>;
};

export type AuditFilter = {
  actorType?: AuditEventRow['actor_type'];
  actorId?: string;
  subjectType?: string;
  subjectId?: string;
  type?: string;
  occurredAfter?: string;
  occurredBefore?: string;
};

const COLUMNS = ['id', 'occurred_at', 'type', 'actor_type', 'actor_id', 'subject_type', 'subject_id', 'client_id', 'ip', 'user_agent', 'data'];

export async function listAuditEvents(knex: Knex, filter: AuditFilter, page: { limit: number; after?: Position }): Promise<{ items: AuditEventRow[]; next: Position | null }> {
  const query = knex('audit_events').select(COLUMNS);
  if (filter.actorType) query.where({ actor_type: filter.actorType });
  if (filter.actorId) query.where({ actor_id: filter.actorId });
  if (filter.subjectType) query.where({ subject_type: filter.subjectType });
  if (filter.subjectId) query.where({ subject_id: filter.subjectId });
  if (filter.type) query.where({ type: filter.type });
  if (filter.occurredAfter) query.where('occurred_at', '>=', filter.occurredAfter);
  if (filter.occurredBefore) query.where('occurred_at', '<', filter.occurredBefore);
  keyset(query, knex, { key: 'occurred_at', kind: 'timestamptz', id: 'id', idType: 'uuid', desc: true }, page.after, page.limit);
  const { rows, next } = pageOf((await query) as Array<AuditEventRow & { keyset_key: string }>, page.limit, (row) => row.id);
  return { items: rows, next };
}
