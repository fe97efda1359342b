import { Router, type Request, type Response } from 'express';
import type { InteractionDeps } from './deps.ts';
import { t } from './i18n/index.ts';
import type { LoadedInteraction } from './interaction.ts';
import type { Amr, SecondFactorPageContext } from './method.ts';
import { clearPending, enrolledFactors, loadPending, type PendingLogin } from './pending-login.ts';
import { duringLogin } from './routes.ts';
import { finishLogin, runSignIn, signInSteps, type SignInContext, type SignInStep, type Verified } from './sign-in.ts';
import { html } from './views/html.ts';
import { errorSummary, layout } from './views/layout.ts';
import { sendPage } from './views/respond.ts';

export type SecondFactorAttempt = {
  deps: InteractionDeps;
  req: Request;
  res: Response;
  interaction: LoadedInteraction;
  /** The amr value the second factor adds. */
  amr: Amr;
  /** Checks the factor for the pending account; `verify` is true when the factor proved itself. */
  verify: (pending: PendingLogin) => Promise<boolean>;
  /** Renders the method's own page with an error; 'rate_limited' answers 429. */
  fail: SignInContext['fail'];
  /**
   * Replaces the last step (finishLogin) when the method must show a page
   * before the browser goes back to the app (new recovery codes, shown once).
   */
  finish?: SignInStep;
};

/**
 * The second half of a sign-in: the pending first factor plus this one go
 * through the same pipeline (limits per account and IP, account checks,
 * events, session) and finish with amr [first, second, 'mfa'], acr aal2.
 * With nothing pending (expired, or never started) the page has expired.
 */
export async function completeSecondFactor(attempt: SecondFactorAttempt): Promise<void> {
  const { deps, req, res, interaction } = attempt;
  const pending = await loadPending(deps, interaction.uid);
  if (!pending) return expiredSecondFactor(deps, res);
  const steps = attempt.finish ? signInSteps.map((step) => (step === finishLogin ? attempt.finish! : step)) : signInSteps;
  await runSignIn(steps, {
    deps,
    req,
    res,
    interaction,
    attempt: { method: attempt.amr, identifier: pending.identifier, amr: [...pending.amr, attempt.amr, 'mfa'], secondFactor: true },
    verify: async (): Promise<Verified> => ((await attempt.verify(pending)) ? { ok: true, userId: pending.userId } : { ok: false }),
    fail: attempt.fail,
  });
  if (res.headersSent && res.statusCode < 400) await clearPending(deps, interaction.uid).catch(() => {});
}

function expiredSecondFactor(deps: InteractionDeps, res: Response): void {
  sendPage(res, layout(deps.config.brand, { title: t('page.error.title'), body: html`<p>${t('mfa.expired')}</p>` }), { status: 400 });
}

/**
 * GET /interaction/:uid/mfa: the second-factor page. Lists each factor the
 * account has (or, when the policy requires one it lacks, each it may set
 * up); each method's form posts to its own routes.
 */
export function secondFactorRoutes(deps: InteractionDeps): Router {
  const router = Router();
  router.get(
    '/interaction/:uid/mfa',
    duringLogin(deps, async (req, res, interaction) => {
      const pending = await loadPending(deps, interaction.uid);
      if (!pending) return expiredSecondFactor(deps, res);
      renderSecondFactorPage(deps, req, res, interaction, pending);
    }),
  );
  return router;
}

export async function renderSecondFactorPage(
  deps: InteractionDeps,
  req: Request,
  res: Response,
  interaction: LoadedInteraction,
  pending: PendingLogin,
  state: { formError?: string; status?: number } = {},
): Promise<void> {
  const ctx: SecondFactorPageContext = { deps, req, res, interaction, base: `/interaction/${interaction.uid}`, userId: pending.userId };
  const methods = pending.mode === 'verify' ? await enrolledFactors(deps, pending.userId) : deps.methods.filter((method) => method.secondFactor?.enrol);
  const entries = methods.map((method) => (pending.mode === 'verify' ? method.secondFactor!.entry(ctx) : method.secondFactor!.enrol!(ctx)));
  const body = html`<p class="lead">${pending.mode === 'verify' ? t('mfa.lead') : t('mfa.enrol.lead')}</p>
${errorSummary({}, state.formError)}
${entries.map((entry, i) => html`${i > 0 ? html`<p class="divider">${t('page.signin.or')}</p>` : ''}${entry.html}`)}`;
  const scripts = [...new Set(entries.flatMap((entry) => entry.scripts ?? []))];
  sendPage(res, layout(deps.config.brand, { title: pending.mode === 'verify' ? t('mfa.title') : t('mfa.enrol.title'), body, scripts }), { status: state.status });
}
