import { Router, type Request, type Response } from 'express';
import { isValidEmail, normalizeEmail } from '../accounts/email.ts';
import { findUserByEmail, markEmailVerified } from '../db/users.ts';
import { recordAuditEvent } from '../events/audit.ts';
import { publishAfterCommit } from '../events/publish.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import { t } from '../interactions/i18n/index.ts';
import type { LoadedInteraction } from '../interactions/interaction.ts';
import { duringLogin } from '../interactions/routes.ts';
import { runSignIn, signInSteps } from '../interactions/sign-in.ts';
import { sendPage } from '../interactions/views/respond.ts';
import { checkCode, sendCode, type CodeCheck } from '../verification/codes.ts';
import { limitCodeRequest } from '../verification/limits.ts';
import { codePage, emailPage } from './views.ts';

/**
 * Passwordless sign-in with a mailed code:
 *   GET  /interaction/:uid/email-code         ask for the address
 *   POST /interaction/:uid/email-code         mail a code (or pretend to), show the code page
 *   POST /interaction/:uid/email-code/verify  check the code through the sign-in pipeline
 * CSRF is checked for every POST under /interaction/:uid by interactionRoutes.
 */
export function emailCodeRoutes(deps: InteractionDeps): Router {
  const router = Router();

  const withLogin = (handler: Parameters<typeof duringLogin>[1]) => duringLogin(deps, handler);

  const showEmailPage = (req: Request, res: Response, interaction: LoadedInteraction, o: { email?: string; error?: string; formError?: string; status?: number }) =>
    sendPage(res, emailPage({ brand: deps.config.brand, uid: interaction.uid, client: interaction.client.name, csrf: deps.csrf.token(req, res), ...o }), {
      status: o.status,
    });

  const showCodePage = (req: Request, res: Response, interaction: LoadedInteraction, o: { email: string; resent?: boolean; error?: string; status?: number }) =>
    sendPage(res, codePage({ brand: deps.config.brand, uid: interaction.uid, csrf: deps.csrf.token(req, res), ...o }), { status: o.status });

  router.get(
    '/interaction/:uid/email-code',
    withLogin(async (req, res, interaction) => {
      const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : undefined;
      showEmailPage(req, res, interaction, { email: hint });
    }),
  );

  router.post(
    '/interaction/:uid/email-code',
    withLogin(async (req, res, interaction) => {
      const email = normalizeEmail(req.body?.email);
      if (!email) return showEmailPage(req, res, interaction, { error: t('error.required', { field: t('field.email').toLowerCase() }), status: 400 });
      if (!isValidEmail(email)) return showEmailPage(req, res, interaction, { email, error: t('error.email_invalid'), status: 400 });

      const limit = await limitCodeRequest(deps, req, email);
      if (!limit.ok) {
        res.set('Retry-After', String(limit.retryAfterSeconds));
        return showEmailPage(req, res, interaction, { email, error: t('error.rate_limited', { seconds: limit.retryAfterSeconds }), status: 429 });
      }

      // Same work, same page for a missing account: a code is issued either way, only mailed to a real one.
      const user = await findUserByEmail(deps.db.knex, email);
      const active = user?.status === 'active' ? user : undefined;
      await sendCode(deps, { purpose: 'sign_in', email, to: active?.email ?? undefined, userId: active?.id ?? null, flowId: interaction.uid, deliver: Boolean(active) });
      showCodePage(req, res, interaction, { email, resent: req.body?.resend === '1' });
    }),
  );

  router.post(
    '/interaction/:uid/email-code/verify',
    withLogin(async (req, res, interaction) => {
      const email = normalizeEmail(req.body?.email);
      if (!isValidEmail(email)) return showEmailPage(req, res, interaction, { error: t('error.email_invalid'), status: 400 });

      let outcome: CodeCheck | undefined;
      await runSignIn(signInSteps, {
        deps,
        req,
        res,
        interaction,
        attempt: { method: 'otp', identifier: email },
        verify: async () => {
          outcome = await checkCode(deps, { purpose: 'sign_in', email, flowId: interaction.uid, code: req.body?.code });
          // A code issued for an address without an account proves nothing to sign in with.
          if (!outcome.ok || !outcome.userId) return { ok: false };
          // Reading the code proves the address (if it is still the account's), whatever the later steps decide.
          const userId = outcome.userId;
          await deps.db.knex.transaction(async (trx) => {
            const current: { email: string | null } | undefined = await trx('users').select('email').where({ id: userId }).forUpdate().first();
            if (current?.email?.toLowerCase() !== email.toLowerCase()) return;
            if (!(await markEmailVerified(trx, userId))) return;
            await recordAuditEvent(trx, {
              type: 'email.verified',
              actorUserId: userId,
              subjectUserId: userId,
              clientId: interaction.client.clientId,
              ip: req.ip,
              userAgent: req.get('user-agent'),
              data: { via: 'email_code' },
            });
            publishAfterCommit(trx, deps.store, 'user:updated', { userId });
          });
          return { ok: true, userId: outcome.userId };
        },
        fail: async (reason, retryAfterSeconds) => {
          // Code entry: limitAttempts (the 'code-entry' limit) refuses first, with Retry-After set.
          if (reason === 'rate_limited') {
            const seconds = retryAfterSeconds ?? 60;
            return showCodePage(req, res, interaction, { email, error: t('error.rate_limited', { seconds }), status: 429 });
          }
          const error =
            outcome && !outcome.ok && outcome.reason === 'format'
              ? t('error.code_format')
              : outcome && !outcome.ok && outcome.reason === 'burned'
                ? t('error.code_burned')
                : t('error.code_invalid');
          showCodePage(req, res, interaction, { email, error, status: 400 });
        },
      });
    }),
  );

  return router;
}
