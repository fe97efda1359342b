import { IncomingMessage } from 'node:http';
import type { HttpCustomAttributeFunction } from '@opentelemetry/instrumentation-http';
import { redactUrl } from '../http/logger.ts';
import { methodOf, routeOf } from '../metrics/route.ts';

// Probes and scrapes every few seconds would drown the traces that matter.
const QUIET = new Set(['/healthz', '/readyz', '/metrics']);

export const skipIncoming = (req: IncomingMessage): boolean => QUIET.has((req.url ?? '').split('?')[0]!);

/**
 * When a server span ends: named `METHOD route` with `http.route` set, from
 * the same bounded route label the metrics use; and the URL attributes lose
 * the values of secret-bearing query parameters, as log lines do.
 */
export const nameServerSpan: HttpCustomAttributeFunction = (span, request) => {
  // Server spans only (outgoing requests are not instrumented).
  if (!(request instanceof IncomingMessage)) return;
  const route = routeOf(request);
  span.updateName(`${methodOf(request)} ${route}`);
  span.setAttribute('http.route', route);
  const attributes = (span as unknown as { attributes?: Record<string, unknown> }).attributes ?? {};
  for (const key of ['http.target', 'http.url', 'url.full']) {
    const value = attributes[key];
    if (typeof value === 'string') span.setAttribute(key, redactUrl(value));
  }
  const query = attributes['url.query'];
  if (typeof query === 'string') span.setAttribute('url.query', redactUrl(`?${query}`).slice(1));
};
