import { contract } from '@latchkey/contract';
import type { AppRouter } from '@ts-rest/core';
import { createExpressEndpoints } from '@ts-rest/express';
import express, { type Router } from 'express';
import { adminApiTokens } from './admin/api-tokens.ts';
import { adminScopes } from './admin/scopes.ts';
import { adminClients } from './admin/clients.ts';
import { adminResources } from './admin/resources.ts';
import { adminKeys } from './admin/keys.ts';
import { adminWebhooks } from './admin/webhooks.ts';
import { adminUsers } from './admin/users.ts';
import { adminSessions } from './admin/sessions.ts';
import { adminGrants } from './admin/grants.ts';
import { adminInvitations } from './admin/invitations.ts';
import { adminAuditEvents } from './admin/audit-events.ts';
import { createAuthenticator } from './auth.ts';
import { createAuthorize } from './authorize.ts';
import { meApiTokens } from './me/api-tokens.ts';
import { meApps } from './me/apps.ts';
import { meEmail } from './me/email.ts';
import { meIdentities } from './me/identities.ts';
import { mePasskeys } from './me/passkeys.ts';
import { mePassword } from './me/password.ts';
import { mePhone } from './me/phone.ts';
import { meProfile } from './me/profile.ts';
import { meSessions } from './me/sessions.ts';
import { meTwoStep } from './me/two-step.ts';
import type { ApiDeps } from './deps.ts';
import { apiDocs } from './docs.ts';
import { ApiProblem } from './problem.ts';

type Implementation<T extends AppRouter> = Parameters<typeof createExpressEndpoints<T>>[1];

/** JSON bodies of the API are small; anything bigger is a 413 problem. */
export const API_BODY_LIMIT = '32kb';

/**
 * The REST API at /api: ts-rest routes from @latchkey/contract, each
 * resource registered with one `mount` line. Every route authenticates and
 * checks the scopes its contract metadata names before the request is
 * validated; errors are problem+json (apiErrorHandler, mounted by app.ts).
 */
export function apiRouter(deps: ApiDeps): Router {
  const router = express.Router();
  router.use('/api', express.json({ limit: API_BODY_LIMIT, strict: true }));
  // A body in any other format would reach validation as "missing": say what is wrong instead.
  router.use('/api', (req, _res, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is('application/json')) return next(new ApiProblem('unsupported_media_type', 'request bodies must be application/json'));
    next();
  });
  router.use('/api', apiDocs());
  // Answers hold secrets shown once (client, introspection and webhook secrets) and personal or
  // admin data: no cache, browser or shared, may keep them (RFC 6749 §5.1 asks the same of tokens).
  router.use('/api/v1', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  const authorize = createAuthorize(createAuthenticator({ issuer: deps.config.issuer, knex: deps.db.knex, keyring: deps.keyring, providers: deps.providers }));
  const mount = <T extends AppRouter>(routes: T, implementation: Implementation<T>) =>
    createExpressEndpoints(routes, implementation, router, {
      globalMiddleware: [authorize],
      // ts-rest's validation errors go to our problem handler.
      requestValidationErrorHandler: (error, _req, _res, next) => next(error),
    });

  mount(contract.admin.scopes, adminScopes(deps));
  mount(contract.admin.clients, adminClients(deps));
  mount(contract.admin.resources, adminResources(deps));
  mount(contract.admin.keys, adminKeys(deps));
  mount(contract.admin.webhooks, adminWebhooks(deps));
  mount(contract.admin.apiTokens, adminApiTokens(deps));
  mount(contract.admin.users, adminUsers(deps));
  mount(contract.admin.sessions, adminSessions(deps));
  mount(contract.admin.grants, adminGrants(deps));
  mount(contract.admin.invitations, adminInvitations(deps));
  mount(contract.admin.auditEvents, adminAuditEvents(deps));
  mount(contract.me.apiTokens, meApiTokens(deps));
  mount(contract.me.profile, meProfile(deps));
  mount(contract.me.email, meEmail(deps));
  mount(contract.me.identities, meIdentities(deps));
  mount(contract.me.passkeys, mePasskeys(deps));
  mount(contract.me.password, mePassword(deps));
  mount(contract.me.phone, mePhone(deps));
  mount(contract.me.sessions, meSessions(deps));
  mount(contract.me.twoStep, meTwoStep(deps));
  mount(contract.me.apps, meApps(deps));

  router.use('/api', (_req, _res, next) => next(new ApiProblem('not_found', 'no such API endpoint')));
  // The errors go on to apiErrorHandler, which app.ts mounts at /api after this router.
  return router;
}
