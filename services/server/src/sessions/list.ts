import type { Knex } from 'knex';
import { keyset, pageOf, type Position } from '../db/keyset.ts';
import type { SessionSummary } from './rows.ts';

/**
 * Browser sessions page by page, for the admin API (the CLI's `sessions
 * list` shows one user's unexpired sessions in one go: rows.ts). Only
 * signed-in sessions: a browser that never signed in is nobody's session.
 */

export type AdminSession = SessionSummary & { user_id: string };

export type SessionFilter = { userId?: string; status: 'active' | 'all'; sort: 'created_at' | '-created_at' };

const COLUMNS = ['uid as id', 'user_id', 'status', 'browser', 'os', 'device', 'ip', 'created_at', 'last_activity_at', 'expires_at', 'revoked_at', 'revoked_reason'];

export async function listSessions(knex: Knex, filter: SessionFilter, page: { limit: number; after?: Position }): Promise<{ items: AdminSession[]; next: Position | null }> {
  const query = knex('sessions').select(COLUMNS).whereNotNull('user_id');
  if (filter.userId) query.where({ user_id: filter.userId });
  if (filter.status === 'active') {
    query.where({ status: 'active' }).whereNull('revoked_at').andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', knex.fn.now()));
  }
  keyset(query, knex, { key: 'created_at', kind: 'timestamptz', id: 'uid', idType: 'text', desc: filter.sort === '-created_at' }, page.after, page.limit);
  const { rows, next } = pageOf((await query) as Array<AdminSession & { keyset_key: string }>, page.limit, (row) => row.id);
  return { items: rows, next };
}

/** One signed-in session by its uid (never by cookie value), live or not. */
export async function findSessionByUid(knex: Knex, uid: string): Promise<AdminSession | undefined> {
  return knex('sessions').select(COLUMNS).where({ uid }).whereNotNull('user_id').first();
}
