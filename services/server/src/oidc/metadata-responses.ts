import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { setRouteLabel } from '../metrics/route.ts';

export type MetadataRoute = 'discovery' | 'jwks';

/** The paths oidc-provider answers these routes on (exact and case-sensitive, as its router matches them). */
const ROUTES: ReadonlyMap<string, MetadataRoute> = new Map([
  ['/.well-known/openid-configuration', 'discovery'],
  ['/.well-known/oauth-authorization-server', 'discovery'],
  ['/jwks', 'jwks'],
]);

/** The metadata route a GET asks for, or undefined (any other method or path is the provider's). */
export function metadataRouteOf(req: IncomingMessage): MetadataRoute | undefined {
  if (req.method !== 'GET' || !req.url) return undefined;
  const query = req.url.indexOf('?');
  return ROUTES.get(query === -1 ? req.url : req.url.slice(0, query));
}

type Rendered = { body: Buffer; contentType: string; etag: string };

/** True when an If-None-Match list names this ETag (weak comparison, RFC 9110 §13.1.2). */
function notModified(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * Discovery and the JWKS of one provider instance, kept as the bytes
 * oidc-provider rendered the first time each was asked for and answered
 * from those afterwards, without entering Koa (a third of a discovery
 * request's CPU). Both are fixed for an instance: its configuration and
 * keys are set when it is built (a key change builds a new instance, with
 * an empty set of these), and every URL in them comes from the issuer,
 * never from the request (internals.ts). What does depend on the request
 * is set per answer, as oidc-provider does: the CORS origin (any origin may
 * read both), and `Vary: Origin`. A strong ETag lets clients revalidate.
 */
export class MetadataResponses {
  readonly #rendered = new Map<MetadataRoute, Rendered>();
  readonly #cacheControl: string;

  constructor(options: { maxAgeSeconds: number }) {
    this.#cacheControl = `public, max-age=${options.maxAgeSeconds}`;
  }

  /** Provider middleware: keeps the first successful GET answer of each route. */
  readonly capture = async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    const route = ctx.oidc?.route;
    if ((route !== 'discovery' && route !== 'jwks') || this.#rendered.has(route)) return;
    if (ctx.method !== 'GET' || ctx.status !== 200 || ctx.body === null || typeof ctx.body !== 'object' || Buffer.isBuffer(ctx.body)) return;
    // What Koa itself sends for an object body.
    const body = Buffer.from(JSON.stringify(ctx.body));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    this.#rendered.set(route, { body, contentType: String(ctx.response.get('Content-Type')), etag });
    ctx.set('ETag', etag);
  };

  /** Answers from the kept bytes; false when there are none yet (the provider answers, and that answer is kept). */
  answer(req: IncomingMessage, res: ServerResponse, route: MetadataRoute): boolean {
    const rendered = this.#rendered.get(route);
    if (!rendered) return false;
    // Counted (and traced) under the provider's route name, as when it answers itself.
    setRouteLabel(req, route);
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Origin', origin || '*');
    res.setHeader('Cache-Control', this.#cacheControl);
    res.setHeader('ETag', rendered.etag);
    if (notModified(req.headers['if-none-match'], rendered.etag)) {
      res.statusCode = 304;
      res.end();
      return true;
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', rendered.contentType);
    res.setHeader('Content-Length', rendered.body.length);
    res.end(rendered.body);
    return true;
  }
}
