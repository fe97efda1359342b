import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';

/**
 * The label a request is counted (and its trace span named) under: the
 * oidc-provider route name (`token`, `authorization`, `discovery` …) when the
 * provider answered, else the Express route pattern (`/interaction/:uid`),
 * else `unmatched`. Never the raw path: ids, codes and scanners' guesses
 * would each make a new series.
 */
const providerRoutes = new WeakMap<IncomingMessage, string>();

/** Called by the provider hook (metrics/oidc.ts) with the route it matched. */
export function setProviderRoute(req: IncomingMessage, name: string): void {
  providerRoutes.set(req, name);
}

export function routeOf(req: Request): string {
  const named = providerRoutes.get(req);
  if (named) return named;
  const path: unknown = req.route?.path;
  if (typeof path === 'string') return path;
  // app.post(['/token', '/device/auth'], …): the pattern among them this request matched.
  if (Array.isArray(path)) return path.find((p) => p === req.path) ?? path.filter((p) => typeof p === 'string').join('|');
  return 'unmatched';
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export const methodOf = (req: Request): string => (METHODS.has(req.method) ? req.method : 'other');
