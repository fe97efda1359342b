import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import proxyaddr from 'proxy-addr';
import type { Express } from 'express';
import type { Config } from '../config/env.ts';
import { observeRequest } from '../metrics/http.ts';
import type { Metrics } from '../metrics/registry.ts';
import { setRouteLabel } from '../metrics/route.ts';
import type { ProviderHolder } from '../oidc/provider.ts';
import { refuseTokenRequest } from '../ratelimit/http.ts';
import type { Limiter } from '../ratelimit/index.ts';
import { bodyTooLarge } from './body-limit.ts';
import { reportError, sendJsonError } from './errors.ts';
import { forwardedForWarning } from './forwarded-warning.ts';
import { hostProblem } from './host-check.ts';
import { urlProblem } from './input-guard.ts';
import { redactUrl, type Logger } from './logger.ts';
import { millisecondsSince, requestLineWriter } from './request-log.ts';
import { securityHeaderSetter } from './security-headers.ts';

/** Paths only oidc-provider answers (token, introspection, revocation, JWKS, discovery, userinfo). */
export const PROVIDER_ONLY_PATHS = ['/token', '/token/introspection', '/token/revocation', '/jwks', '/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/me'];

const LANE_PATHS = new Set(PROVIDER_ONLY_PATHS);

export type ProviderLaneDeps = {
  config: Pick<Config, 'issuer' | 'trustProxy'>;
  providers: Pick<ProviderHolder, 'handle'>;
  metrics: Metrics;
  logger: Logger;
  limiter: Limiter;
};

/**
 * The server's request listener: requests for the provider's machine
 * endpoints, spelled exactly as their clients send them, go to oidc-provider
 * without passing through Express; everything else is the app's.
 *
 * Express costs a token request ~20 µs of CPU before the provider sees it
 * (its prototypes on req and res, the router and its layers, which also make
 * the provider's property accesses megamorphic): about a fifteenth of an
 * ES256 client-credentials token. The lane does what the app-wide
 * middlewares and the token limit do, in the same order, for these requests:
 * metrics, the request line with its X-Request-Id, the X-Forwarded-For
 * warning, the security headers and, for POST /token, the per-IP token limit.
 * A request the guards would refuse (Host, URL, body size) is handed to the
 * app untouched, so refusals are answered, counted and logged in one place.
 */
export function providerLane(deps: ProviderLaneDeps, app: Express): RequestListener {
  // Express's compiled LATCHKEY_TRUST_PROXY: req.ip here is what it is in the app.
  const trust = app.get('trust proxy fn') as (address: string, hop: number) => boolean;
  const wrongHost = hostProblem(deps.config.issuer);
  const warnForwarded = forwardedForWarning(deps.config, deps.logger);
  const setSecurityHeaders = securityHeaderSetter({ https: deps.config.issuer.startsWith('https://') });
  const writeLine = requestLineWriter(deps.logger);

  // What Express's error handling did for these paths, for anything thrown once the lane has a request.
  const fail = (res: ServerResponse, path: string, error: unknown): void => {
    const httpError = reportError(deps.logger, error, path);
    if (res.headersSent) return void res.end();
    sendJsonError(res, httpError);
  };

  const serve = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const started = process.hrtime.bigint();
    const id = randomUUID();
    const ip = proxyaddr(req, trust);
    // Where the app's req.ip would be read (client authentication, audit, limits inside the provider).
    (req as IncomingMessage & { ip?: string }).ip = ip;
    // The provider names its route when it answers; a refusal before it is counted under the path.
    setRouteLabel(req, path);
    let ended = false;
    const done = () => {
      if (ended) return;
      ended = true;
      observeRequest(deps.metrics, req, res, started);
      if (!res.writableFinished) return;
      writeLine({ reqId: id, method: req.method ?? '', url: redactUrl(req.url ?? path), status: res.statusCode, ms: millisecondsSince(started), ip });
    };
    res.on('finish', done);
    res.on('close', done);
    res.setHeader('X-Request-Id', id);
    warnForwarded(req);
    setSecurityHeaders(res);
    try {
      if (req.method !== 'POST' || path !== '/token') return deps.providers.handle(req, res);
      deps.limiter
        .consume('token', { ip })
        .then((verdict) => (verdict.allowed ? deps.providers.handle(req, res) : refuseTokenRequest(res, verdict)))
        .catch((error: unknown) => fail(res, path, error));
    } catch (error) {
      fail(res, path, error);
    }
  };

  return (req, res) => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (!LANE_PATHS.has(path) || bodyTooLarge(req) || urlProblem(url) !== undefined || wrongHost(req, trust) !== undefined) return app(req, res);
    serve(req, res, path);
  };
}
