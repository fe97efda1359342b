import { Router } from 'express';
import { isValidEmail, normalizeEmail } from '../accounts/email.ts';
import { renderSignIn } from '../interactions/sign-in-page.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import { t } from '../interactions/i18n/index.ts';
import { duringLogin } from '../interactions/routes.ts';
import { runSignIn, signInSteps } from '../interactions/sign-in.ts';
import { verifyEmailPassword } from './verify.ts';

/**
 * POST /interaction/:uid/password: email + password through the sign-in
 * pipeline (limits, account checks, events and the session come from its
 * shared steps). CSRF is checked for every POST under /interaction/:uid.
 */
export function passwordRoutes(deps: InteractionDeps): Router {
  const router = Router();

  const withLogin = (handler: Parameters<typeof duringLogin>[1]) => duringLogin(deps, handler);

  router.post(
    '/interaction/:uid/password',
    withLogin(async (req, res, interaction) => {
      const email = normalizeEmail(req.body?.email);
      const password = typeof req.body?.password === 'string' ? req.body.password : '';
      const errors = {
        email: !email ? t('error.required', { field: t('field.email').toLowerCase() }) : isValidEmail(email) ? undefined : t('error.email_invalid'),
        password: password ? undefined : t('error.required', { field: t('field.password').toLowerCase() }),
      };
      if (errors.email || errors.password) return renderSignIn(deps, req, res, interaction, { email, errors, status: 400 });

      await runSignIn(signInSteps, {
        deps,
        req,
        res,
        interaction,
        attempt: { method: 'pwd', identifier: email },
        verify: () => verifyEmailPassword(deps.db.knex, email, password),
        fail: async (reason, retryAfterSeconds) => {
          if (reason === 'rate_limited') {
            const seconds = retryAfterSeconds ?? 60;
            res.set('Retry-After', String(seconds));
            return renderSignIn(deps, req, res, interaction, { email, formError: t('error.rate_limited', { seconds }), status: 429 });
          }
          renderSignIn(deps, req, res, interaction, { email, formError: t('error.credentials'), status: 401 });
        },
      });
    }),
  );

  return router;
}
