import express, { type Express } from 'express';
import type { Config } from './config/env.ts';
import type { Db } from './db/knex.ts';
import { bodyLimit } from './http/body-limit.ts';
import { errorHandler } from './http/errors.ts';
import { healthRoutes } from './http/health.ts';
import type { Logger } from './http/logger.ts';
import { requestLog } from './http/request-log.ts';
import { securityHeaders } from './http/security-headers.ts';
import { interactionRoutes } from './interactions/routes.ts';
import type { ProviderHolder } from './oidc/provider.ts';
import type { Store } from './store/index.ts';

export type AppDeps = {
  config: Config;
  db: Db;
  store: Store;
  providers: ProviderHolder;
  logger: Logger;
};

export type AppOptions = {
  /** Extra routes mounted before the provider (tests use it to finish interactions). */
  mount?: (app: Express) => void;
};

/** Builds the HTTP app from its dependencies without listening. */
export function buildApp(deps: AppDeps, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  // Client IPs come from X-Forwarded-For only through proxies the operator named.
  app.set('trust proxy', deps.config.trustProxy);
  app.use(requestLog(deps.logger));
  app.use(securityHeaders);
  app.use(bodyLimit);
  app.use(healthRoutes(deps));
  app.use(interactionRoutes());
  options.mount?.(app);
  // Everything else is the OIDC provider's (it parses its own bodies, so no body parser before it).
  app.use((req, res) => deps.providers.handle(req, res));
  app.use(errorHandler(deps.logger));
  return app;
}
