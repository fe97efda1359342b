import type { IncomingMessage } from 'node:http';

/**
 * The label a request is counted (and its trace span named) under: the
 * oidc-provider route name (`token`, `authorization`, `discovery` …) when the
 * provider answered, else the route pattern that served it (`/interaction/:uid`,
 * or the provider lane's path), else `unmatched`. Never a raw path the lane did
 * not list: ids, codes and scanners' guesses would each make a new series.
 */
// A property rather than a WeakMap keyed by the request: every request would
// add an ephemeron the young-generation GC has to trace.
const ROUTE = Symbol('latchkey.route');

type Labelled = IncomingMessage & { [ROUTE]?: string; route?: { path?: unknown }; path?: string };

/** Called with the route the provider matched (metrics/oidc.ts), or the lane's path before it answers. */
export function setRouteLabel(req: IncomingMessage, name: string): void {
  (req as Labelled)[ROUTE] = name;
}

export function routeOf(request: IncomingMessage): string {
  const req = request as Labelled;
  const named = req[ROUTE];
  if (named) return named;
  const path: unknown = req.route?.path;
  if (typeof path === 'string') return path;
  // app.post(['/token', '/device/auth'], …): the pattern among them this request matched.
  if (Array.isArray(path)) return path.find((p) => p === req.path) ?? path.filter((p) => typeof p === 'string').join('|');
  return 'unmatched';
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export const methodOf = (req: IncomingMessage): string => (req.method !== undefined && METHODS.has(req.method) ? req.method : 'other');
