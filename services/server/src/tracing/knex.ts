import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { Knex } from 'knex';

type QueryEvent = { __knexQueryUid?: string; method?: string; sql?: string };

/**
 * A client span per knex query, for the embedded PGlite (it has no pg driver
 * for the pg instrumentation to patch). The statement is recorded with its
 * placeholders, never the bound values.
 */
export function traceKnexQueries(knex: Knex, tracer: Tracer): () => void {
  const open = new Map<string, Span>();
  const onQuery = (query: QueryEvent) => {
    // Only under a request, as for pg: the background jobs' polling would bury it.
    if (!query.__knexQueryUid || !trace.getSpan(context.active())) return;
    const operation = (query.method ?? 'query').toUpperCase();
    const span = tracer.startSpan(
      `${operation} pglite`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'db.system.name': 'postgresql', 'db.system': 'postgresql', 'db.namespace': 'pglite', 'db.operation.name': operation, 'db.query.text': query.sql ?? '' },
      },
      context.active(),
    );
    open.set(query.__knexQueryUid, span);
  };
  const end = (error?: unknown) => (_result: unknown, query: QueryEvent) => {
    const span = query.__knexQueryUid ? open.get(query.__knexQueryUid) : undefined;
    if (!span) return;
    open.delete(query.__knexQueryUid!);
    if (error) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  const onResponse = end();
  const onError = end(true);
  knex.on('query', onQuery).on('query-response', onResponse).on('query-error', onError);
  return () => {
    knex.off('query', onQuery).off('query-response', onResponse).off('query-error', onError);
    for (const span of open.values()) span.end();
    open.clear();
  };
}
