import { Router } from 'express';
import { formGuard } from '../http/input-guard.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import { ensureAccountConsoleClientRow } from '../oidc/console-client.ts';
import type { ConsoleDeps } from './deps.ts';
import { requireConsoleSession } from './guard.ts';
import { consoleSections } from './paths.ts';
import { signInRoutes } from './sign-in.ts';
import { consoleAssets } from './views.ts';

/**
 * The hosted account console at /account: a relying party of this issuer
 * (sign-in.ts) with server-rendered sections, each its own router. Every form
 * post is a parsed, checked form with a valid CSRF token.
 */
export function accountConsole(interactionDeps: InteractionDeps): Router {
  const deps: ConsoleDeps = { ...interactionDeps, secure: interactionDeps.config.issuer.startsWith('https://'), sections: consoleSections(interactionDeps.methods) };
  // The built-in client's anchor row, at start (sign-ins ensure it again, in case it was deleted).
  ensureAccountConsoleClientRow(deps.db.knex, deps.config.issuer, deps.keyring).catch((err: unknown) =>
    deps.logger.warn({ err }, 'could not add the account console client row; console sign-ins will retry'),
  );
  const router = Router();
  router.use(consoleAssets());
  router.use('/account', formGuard);
  router.use('/account', (req, res, next) => (req.method === 'POST' ? deps.csrf.verify(req, res, next) : next()));
  router.use(signInRoutes(deps));
  router.use('/account', requireConsoleSession(deps));
  for (const section of deps.sections) router.use(section.router(deps));
  return router;
}
