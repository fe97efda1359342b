import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import { apiErrorHandler } from './api/problem.ts';
import type { Config } from './config/env.ts';
import type { Db } from './db/knex.ts';
import { bodyLimit } from './http/body-limit.ts';
import { errorHandler } from './http/errors.ts';
import { warnUntrustedForwardedFor } from './http/forwarded-warning.ts';
import { healthHandlers } from './http/health.ts';
import { series } from './http/series.ts';
import { formGuard, inputGuard } from './http/input-guard.ts';
import { hostCheck } from './http/host-check.ts';
import { PROVIDER_ONLY_PATHS, providerLane } from './http/provider-lane.ts';
import type { Logger } from './http/logger.ts';
import { requestLog } from './http/request-log.ts';
import { securityHeaders } from './http/security-headers.ts';
import type { Keyring } from './crypto/keyring.ts';
import type { Mailer } from './mail/mailer.ts';
import type { SmsSender } from './phone/sms.ts';
import { createCsrf } from './interactions/csrf.ts';
import { publicMetricsHandler, requestMetrics, type Metrics } from './metrics/index.ts';
import { t } from './interactions/i18n/index.ts';
import { html } from './interactions/views/html.ts';
import { layout } from './interactions/views/layout.ts';
import { sendPage } from './interactions/views/respond.ts';
import { hostedPages } from './interactions/index.ts';
import { enabledMethods } from './interactions/methods.ts';
import { accountConsole } from './console/index.ts';
import type { ProviderHolder } from './oidc/provider.ts';
import { limitTokenEndpoint, type Limiter } from './ratelimit/index.ts';
import type { Store } from './store/index.ts';
import { signalsRoutes } from './signals/routes.ts';

export type AppDeps = {
  config: Config;
  db: Db;
  store: Store;
  providers: ProviderHolder;
  logger: Logger;
  keyring: Keyring;
  mailer: Mailer;
  /** Undefined in production without SMS_URL (phone is then off). */
  sms: SmsSender | undefined;
  limiter: Limiter;
  metrics: Metrics;
};

export type AppOptions = {
  /** Extra routes mounted before the provider (tests use it to finish interactions). */
  mount?: (app: Express) => void;
};

const API_PATH = /^\/api(?:\/|$)/i;

/** The server's request listener: the provider lane (provider-lane.ts) in front of the app. */
export function buildListener(deps: AppDeps, options: AppOptions = {}): RequestListener {
  return providerLane(deps, buildApp(deps, options));
}

/** Builds the HTTP app from its dependencies without listening. */
export function buildApp(deps: AppDeps, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  // Client IPs come from X-Forwarded-For only through proxies the operator named.
  app.set('trust proxy', deps.config.trustProxy);
  const logoOrigin = deps.config.brand.logoUrl?.startsWith('https://') ? new URL(deps.config.brand.logoUrl).origin : undefined;
  // What every request passes, as one router layer (series.ts).
  app.use(
    series(
      // First, so every answer is timed and counted, the guards' refusals too.
      requestMetrics(deps.metrics),
      requestLog(deps.logger),
      warnUntrustedForwardedFor(deps.config, deps.logger),
      securityHeaders({ https: deps.config.issuer.startsWith('https://') }),
      // Malformed Host, percent-encoding or NUL in the URL: a 400 before any route.
      inputGuard,
      (_req, res, next) => {
        res.locals.logoOrigin = logoOrigin;
        next();
      },
      bodyLimit,
    ),
  );
  const health = healthHandlers(deps);
  app.get('/healthz', health.healthz);
  app.get('/readyz', health.readyz);
  // Like the health checks, scrapes answer any Host (Prometheus addresses a replica by IP).
  const metricsHandler = publicMetricsHandler(deps.config, deps.metrics);
  if (metricsHandler) app.get('/metrics', metricsHandler);
  // Everything below answers only for the issuer's host (health checks above answer any).
  app.use(hostCheck(deps.config.issuer));
  // Machine endpoints that mint rows (tokens, device codes, pushed requests)
  // share one per-IP budget, checked before the provider (reads no body).
  app.post(['/token', '/device/auth', '/request'], limitTokenEndpoint(deps.limiter));
  // The provider's machine endpoints go to it straight away: no route below serves them, and each
  // request walked every hosted-page, console and API router first (a sixteenth of a token request).
  // Most never get here (the lane takes them before Express); other spellings of their paths do.
  app.all(PROVIDER_ONLY_PATHS, (req, res) => deps.providers.handle(req, res));
  // The REST API answers problem+json and parses its own JSON bodies (before the provider, which parses its own).
  // All of it lives under /api (matched without regard to case, as Express matches routes): other requests
  // skip its router instead of trying each of its route patterns (a sign-in page GET tried them all).
  // Built on the first /api request: its routes and the contract's schemas cost a start ~7 MiB and
  // ~0.1 s, and a replica that only issues tokens never needs them.
  let api: Promise<express.Router> | undefined;
  app.use((req, res, next) => {
    if (!API_PATH.test(req.path)) return next();
    api ??= import('./api/index.ts').then(({ apiRouter }) => apiRouter(deps));
    api.then((router) => router(req, res, next)).catch(next);
  });
  // Every error under /api is problem+json: the API's own and those of the app-wide guards above (URL, body limit, Host).
  app.use('/api', apiErrorHandler(deps.logger));
  // Shared Signals: configuration metadata, stream management and polling (plain JSON, not problem+json).
  app.use(signalsRoutes(deps));
  app.use(['/interaction', '/signup'], formGuard);
  const csrf = createCsrf({
    keys: deps.keyring.hashes('cookie', 'csrf').map((key) => Buffer.from(key, 'base64url')),
    secure: deps.config.issuer.startsWith('https://'),
    onFailure: (_req, res) => {
      const body = html`<p>${t('error.csrf')}</p>`;
      sendPage(res, layout(deps.config.brand, { title: t('page.error.title'), body }), { status: 403 });
    },
  });
  const methods = enabledMethods(deps.config);
  for (const router of hostedPages({ ...deps, csrf, methods })) app.use(router);
  app.use(accountConsole({ ...deps, csrf, methods }));
  options.mount?.(app);
  // Everything else is the OIDC provider's (it parses its own bodies, so no body parser before it).
  app.use((req, res) => deps.providers.handle(req, res));
  app.use(errorHandler(deps.logger, deps.config.brand));
  return app;
}
