import { Router, type Request, type Response } from 'express';
import { AccountError } from '../account/errors.ts';
import { acrOf } from '../interactions/acr.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import { t } from '../interactions/i18n/index.ts';
import type { LoadedInteraction } from '../interactions/interaction.ts';
import { loadPending } from '../interactions/pending-login.ts';
import { duringLogin } from '../interactions/routes.ts';
import { completeSecondFactor, renderSecondFactorPage } from '../interactions/second-factor.ts';
import type { SignInContext, SignInStep } from '../interactions/sign-in.ts';
import { html } from '../interactions/views/html.ts';
import { errorSummary, layout } from '../interactions/views/layout.ts';
import { sendPage } from '../interactions/views/respond.ts';
import { fieldOf } from '../console/actions.ts';
import { acceptRecoveryCode, acceptTotpCode, checkSetupCode, enableTotp, pendingSetup } from './two-step.ts';
import { recoveryCodesList, setupForm } from './views.ts';

/**
 * The authenticator app as the second step of a sign-in:
 *   POST /interaction/:uid/totp            a code from the app
 *   POST /interaction/:uid/recovery-code   a recovery code instead
 *   GET  /interaction/:uid/totp/setup      set the app up when the policy requires a second step the account lacks
 *   POST /interaction/:uid/totp/setup      confirm it with a code; the recovery codes are shown once, then the app
 * Each answer goes through the sign-in pipeline (code-entry limits, account
 * checks, events, session) via completeSecondFactor. CSRF is checked for every
 * POST under /interaction/:uid by interactionRoutes.
 */
export function totpRoutes(deps: InteractionDeps): Router {
  const router = Router();
  const withLogin = (handler: Parameters<typeof duringLogin>[1]) => duringLogin(deps, handler);

  /** A refusal shown on the second-factor page (or the expired page when nothing is pending any more). */
  const failOnPage =
    (req: Request, res: Response, interaction: LoadedInteraction, message: string): SignInContext['fail'] =>
    async (reason, retryAfterSeconds) => {
      const pending = await loadPending(deps, interaction.uid);
      const formError = reason === 'rate_limited' ? t('error.rate_limited', { seconds: retryAfterSeconds ?? 60 }) : message;
      if (!pending) return sendPage(res, layout(deps.config.brand, { title: t('page.error.title'), body: html`<p>${t('mfa.expired')}</p>` }), { status: 400 });
      await renderSecondFactorPage(deps, req, res, interaction, pending, { formError, status: reason === 'rate_limited' ? 429 : 400 });
    };

  router.post(
    '/interaction/:uid/totp',
    withLogin(async (req, res, interaction) => {
      const code = fieldOf(req, 'code').replace(/\s/g, '');
      await completeSecondFactor({
        deps,
        req,
        res,
        interaction,
        amr: 'otp',
        verify: (pending) => acceptTotpCode(deps, pending.userId, code),
        fail: failOnPage(req, res, interaction, /^\d{6}$/.test(code) ? t('totp.code_wrong') : t('totp.code_format')),
      });
    }),
  );

  router.post(
    '/interaction/:uid/recovery-code',
    withLogin(async (req, res, interaction) => {
      const code = fieldOf(req, 'recovery_code');
      await completeSecondFactor({
        deps,
        req,
        res,
        interaction,
        // RFC 8176 has no value for a recovery code; it is a one-time code.
        amr: 'otp',
        verify: (pending) =>
          acceptRecoveryCode(deps, { userId: pending.userId, ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 512), clientId: interaction.client.clientId }, code),
        fail: failOnPage(req, res, interaction, t('totp.recovery_wrong')),
      });
    }),
  );

  const showSetup = async (req: Request, res: Response, interaction: LoadedInteraction, userId: string, error?: string, status?: number) => {
    const setup = await pendingSetup(deps, userId);
    const body = html`${errorSummary({}, error)}
${setupForm({ setup, action: `/interaction/${interaction.uid}/totp/setup`, csrf: deps.csrf.token(req, res), error })}`;
    sendPage(res, layout(deps.config.brand, { title: t('totp.setup.title'), body }), { status });
  };

  router.get(
    '/interaction/:uid/totp/setup',
    withLogin(async (req, res, interaction) => {
      const pending = await loadPending(deps, interaction.uid);
      if (pending?.mode !== 'enrol') return sendPage(res, layout(deps.config.brand, { title: t('page.error.title'), body: html`<p>${t('mfa.expired')}</p>` }), { status: 400 });
      try {
        await showSetup(req, res, interaction, pending.userId);
      } catch (error) {
        if (!(error instanceof AccountError)) throw error;
        await renderSecondFactorPage(deps, req, res, interaction, pending, { formError: error.message, status: error.status });
      }
    }),
  );

  router.post(
    '/interaction/:uid/totp/setup',
    withLogin(async (req, res, interaction) => {
      const code = fieldOf(req, 'code').replace(/\s/g, '');
      let codes: string[] = [];
      // The recovery codes are shown before the browser goes back to the app: the login result is stored, and the page links to where it resumes.
      const showCodes: SignInStep = async (ctx) => {
        const amr = ctx.attempt.amr ?? [];
        const resume = await deps.providers.current.interactionResult(req, res, { login: { accountId: ctx.userId!, amr, acr: acrOf(amr), remember: true } }, { mergeWithLastSubmission: true });
        const next = html`<p class="links"><a id="continue" href="${resume}">${t('totp.codes.continue')}</a></p>`;
        sendPage(res, layout(deps.config.brand, { title: t('totp.codes.title'), body: recoveryCodesList(codes, next) }));
        return 'stop';
      };
      await completeSecondFactor({
        deps,
        req,
        res,
        interaction,
        amr: 'otp',
        verify: async (pending) => {
          if (pending.mode !== 'enrol') return false;
          const checked = await checkSetupCode(deps, pending.userId, code);
          if (!checked) return false;
          codes = await enableTotp(deps, { userId: pending.userId, ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 512), clientId: interaction.client.clientId }, checked);
          return true;
        },
        fail: async (reason, retryAfterSeconds) => {
          const pending = await loadPending(deps, interaction.uid);
          const message = reason === 'rate_limited' ? t('error.rate_limited', { seconds: retryAfterSeconds ?? 60 }) : /^\d{6}$/.test(code) ? t('totp.code_wrong') : t('totp.code_format');
          if (pending?.mode !== 'enrol') return sendPage(res, layout(deps.config.brand, { title: t('page.error.title'), body: html`<p>${t('mfa.expired')}</p>` }), { status: 400 });
          await showSetup(req, res, interaction, pending.userId, message, reason === 'rate_limited' ? 429 : 400);
        },
        finish: showCodes,
      });
    }),
  );

  return router;
}
