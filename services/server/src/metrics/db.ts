import type { Db } from '../db/knex.ts';
import type { Metrics } from './registry.ts';

type QueryEvent = { __knexQueryUid?: string; method?: string };
type Pool = { numUsed(): number; numFree(): number; numPendingAcquires(): number; numPendingCreates(): number; max: number };

const OPERATIONS = new Set(['select', 'first', 'pluck', 'insert', 'update', 'del', 'upsert', 'raw', 'count', 'min', 'max', 'sum', 'avg']);

/**
 * Query latency from knex's own query events (both backends, transactions
 * included), and the connection pool read at scrape time. Returns a function
 * that stops listening.
 */
export function observeDb(db: Db, metrics: Metrics): () => void {
  const started = new Map<string, { at: bigint; operation: string }>();
  const onQuery = (query: QueryEvent) => {
    // BEGIN/COMMIT of a transaction carry no uid and no response event.
    if (!query.__knexQueryUid) return;
    const operation = query.method && OPERATIONS.has(query.method) ? (query.method === 'del' ? 'delete' : query.method) : 'other';
    started.set(query.__knexQueryUid, { at: process.hrtime.bigint(), operation });
  };
  const settle = (outcome: 'ok' | 'error') => (_result: unknown, query: QueryEvent) => {
    const start = query.__knexQueryUid ? started.get(query.__knexQueryUid) : undefined;
    if (!start) return;
    started.delete(query.__knexQueryUid!);
    metrics.dbQueryDuration.observe({ operation: start.operation, outcome }, Number(process.hrtime.bigint() - start.at) / 1e9);
  };
  const onResponse = settle('ok');
  const onError = settle('error');
  db.knex.on('query', onQuery).on('query-response', onResponse).on('query-error', onError);

  const pool = () => (db.knex.client as { pool?: Pool }).pool;
  metrics.gauge('latchkey_db_pool_connections', 'Database pool connections by state (used, free, pending_acquire, pending_create)', ['state'], (gauge) => {
    const p = pool();
    if (!p) return;
    gauge.set({ state: 'used' }, p.numUsed());
    gauge.set({ state: 'free' }, p.numFree());
    gauge.set({ state: 'pending_acquire' }, p.numPendingAcquires());
    gauge.set({ state: 'pending_create' }, p.numPendingCreates());
  });
  metrics.gauge('latchkey_db_pool_max', 'Largest number of connections the database pool opens', [], (gauge) => {
    const p = pool();
    if (p) gauge.set(p.max);
  });

  return () => {
    db.knex.off('query', onQuery).off('query-response', onResponse).off('query-error', onError);
    started.clear();
  };
}
