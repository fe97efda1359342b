import { Router, type Request, type Response } from 'express';
import { isValidEmail, normalizeEmail } from '../accounts/email.ts';
import { revokeGrants } from '../accounts/status.ts';
import { findUserByEmail, resetPassword } from '../db/users.ts';
import { CODE_TTL_SECONDS, checkCode, sendCode } from '../verification/codes.ts';
import { beginCodeEntry } from '../verification/limits.ts';
import { recordAuditEvent } from '../events/audit.ts';
import { publishAfterCommit } from '../events/publish.ts';
import { revokeUserSessions } from '../sessions/revoke.ts';
import { setRetryAfter } from '../ratelimit/index.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import { t } from '../interactions/i18n/index.ts';
import type { LoadedInteraction } from '../interactions/interaction.ts';
import { duringLogin } from '../interactions/routes.ts';
import type { FieldErrors } from '../interactions/views/layout.ts';
import { sendPage } from '../interactions/views/respond.ts';
import { hashPassword } from './hash.ts';
import { passwordProblemMessage } from './messages.ts';
import { checkPassword } from './policy.ts';
import { resetCodePage, resetEmailPage } from './reset-views.ts';

const MINUTES = Math.round(CODE_TTL_SECONDS / 60);

/**
 * Forgotten password, by emailed code, inside a sign-in flow:
 *   GET  /interaction/:uid/reset          ask for the address
 *   POST /interaction/:uid/reset          mail a code (or do the same work without mail), ask for code + new password
 *   POST /interaction/:uid/reset/confirm  check the code, set the password, back to sign-in with a notice
 * Every answer is the same whether or not the address has an account.
 */
export function resetRoutes(deps: InteractionDeps): Router {
  const router = Router();
  const { config } = deps;

  const withLogin = (handler: Parameters<typeof duringLogin>[1]) => duringLogin(deps, handler);

  const showEmail = (req: Request, res: Response, interaction: LoadedInteraction, o: { email?: string; error?: string; formError?: string; status?: number } = {}) =>
    sendPage(res, resetEmailPage({ brand: config.brand, uid: interaction.uid, csrf: deps.csrf.token(req, res), ...o }), { status: o.status });

  const showCode = (req: Request, res: Response, interaction: LoadedInteraction, o: { email: string; errors?: FieldErrors; formError?: string; status?: number }) =>
    sendPage(res, resetCodePage({ brand: config.brand, uid: interaction.uid, csrf: deps.csrf.token(req, res), minutes: MINUTES, ...o }), { status: o.status });

  router.get(
    '/interaction/:uid/reset',
    withLogin(async (req, res, interaction) => {
      const hint = interaction.params.login_hint;
      showEmail(req, res, interaction, { email: typeof hint === 'string' ? hint.trim().slice(0, 254) : undefined });
    }),
  );

  router.post(
    '/interaction/:uid/reset',
    withLogin(async (req, res, interaction) => {
      const email = normalizeEmail(req.body?.email);
      if (!email) return showEmail(req, res, interaction, { error: t('error.required', { field: t('field.email').toLowerCase() }), status: 400 });
      if (!isValidEmail(email)) return showEmail(req, res, interaction, { email, error: t('error.email_invalid'), status: 400 });
      const limit = await deps.limiter.consume('password-reset', { ip: req.ip, account: email.toLowerCase() });
      if (!limit.allowed) {
        setRetryAfter(res, limit);
        return showEmail(req, res, interaction, { email, formError: t('error.rate_limited', { seconds: limit.retryAfterSeconds }), status: 429 });
      }
      // A code is issued either way; only an account that can sign in is mailed it.
      const user = await findUserByEmail(deps.db.knex, email);
      const active = user?.status === 'active' ? user : undefined;
      await sendCode(deps, { purpose: 'reset_password', email, to: active?.email ?? undefined, userId: active?.id ?? null, flowId: interaction.uid, deliver: Boolean(active) });
      showCode(req, res, interaction, { email });
    }),
  );

  router.post(
    '/interaction/:uid/reset/confirm',
    withLogin(async (req, res, interaction) => {
      const email = normalizeEmail(req.body?.email);
      if (!isValidEmail(email)) return showEmail(req, res, interaction, { error: t('error.email_invalid'), status: 400 });
      const password = typeof req.body?.password === 'string' ? req.body.password : '';
      // The new password is judged before the code is used, so a weak choice does not burn the code.
      const problem = password ? checkPassword(password, { email }) : undefined;
      const passwordError = !password ? t('error.required', { field: t('field.new_password').toLowerCase() }) : problem ? passwordProblemMessage(problem) : undefined;
      if (passwordError) return showCode(req, res, interaction, { email, errors: { password: passwordError }, status: 400 });

      const entry = await beginCodeEntry(deps, req, email);
      if (!entry.ok) {
        res.set('Retry-After', String(entry.retryAfterSeconds));
        return showCode(req, res, interaction, { email, errors: { code: t('error.rate_limited', { seconds: entry.retryAfterSeconds }) }, status: 429 });
      }
      const check = await checkCode(deps, { purpose: 'reset_password', email, flowId: interaction.uid, code: req.body?.code });
      await entry.done(check.ok && Boolean(check.userId));
      if (!check.ok || !check.userId) {
        const error = !check.ok && check.reason === 'format' ? t('error.code_format') : !check.ok && check.reason === 'burned' ? t('error.code_burned') : t('error.code_invalid');
        return showCode(req, res, interaction, { email, errors: { code: error }, status: 400 });
      }
      const userId = check.userId;
      const passwordHash = await hashPassword(password);
      const actor = { actorUserId: userId, ip: req.ip, userAgent: req.get('user-agent') };
      const changed = await deps.db.knex.transaction(async (trx) => {
        if (!(await resetPassword(trx, userId, passwordHash))) return false;
        // The password change and what it revokes are audit events, in the same transaction.
        await recordAuditEvent(trx, { type: 'password.reset', ...actor, subjectUserId: userId, clientId: interaction.client.clientId, data: { via: 'email_code' } });
        // Whoever knew the old password may hold refresh tokens: they go too.
        await revokeGrants({ knex: trx }, userId, { actor, reason: 'password_reset' });
        publishAfterCommit(trx, deps.store, 'user:updated', { userId });
        return true;
      });
      // Blocked or deleted since the code was sent: say no more than for a wrong code.
      if (!changed) return showCode(req, res, interaction, { email, errors: { code: t('error.code_invalid') }, status: 400 });
      await revokeUserSessions({ knex: deps.db.knex, store: deps.store }, userId, 'password_reset', actor);
      res.redirect(303, `/interaction/${interaction.uid}?notice=password_changed`);
    }),
  );

  return router;
}
