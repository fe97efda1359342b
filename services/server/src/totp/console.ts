import { Router, type Request, type Response } from 'express';
import { actorOf, fieldOf, formFailure, type FormFailure } from '../console/actions.ts';
import type { ConsoleDeps } from '../console/deps.ts';
import { signedIn } from '../console/guard.ts';
import { requireRecentSecondFactor } from '../console/step-up.ts';
import { doneNotice, sendConsolePage } from '../console/views.ts';
import { t } from '../interactions/i18n/index.ts';
import { html } from '../interactions/views/html.ts';
import { csrfInput } from '../interactions/views/layout.ts';
import { confirmTotpSetup, pendingSetup, regenerateRecoveryCodes, turnOffTotp, twoStepStatus } from './two-step.ts';
import { recoveryCodesList, setupForm } from './views.ts';

const SECTION = '/account/two-step';

/**
 * /account/two-step: set up the authenticator app (QR code, confirm with a
 * code, recovery codes shown once), make new recovery codes, turn it off.
 * The last two change a factor, so they need a two-factor sign-in from the
 * last ten minutes (console/step-up.ts); otherwise the browser signs in again first.
 */
export function twoStepSection(deps: ConsoleDeps): Router {
  const router = Router();

  const render = async (req: Request, res: Response, failure?: FormFailure) => {
    const me = signedIn(res);
    const status = await twoStepStatus(deps, me.userId);
    const csrf = deps.csrf.token(req, res);
    const body = status.totpEnabled
      ? html`<p class="lead">${t('console.two_step.on')}</p>
<p id="codes-left">${t('console.two_step.codes_left', { count: status.recoveryCodesLeft })}</p>
<form method="post" action="${SECTION}/recovery-codes">
${csrfInput(csrf)}
<button type="submit" class="secondary">${t('console.two_step.regenerate')}</button>
</form>
<form method="post" action="${SECTION}/turn-off">
${csrfInput(csrf)}
<button type="submit" class="secondary">${t('console.two_step.turn_off')}</button>
</form>`
      : html`<p class="lead">${t('console.two_step.off')}</p>
<p class="links"><a id="totp-setup" href="${SECTION}/setup">${t('console.two_step.setup')}</a></p>`;
    sendConsolePage(deps, req, res, {
      section: SECTION,
      body,
      notice: doneNotice(req, { off: 'console.two_step.turned_off' }),
      formError: failure?.formError,
      status: failure?.status,
    });
  };

  const renderSetup = async (req: Request, res: Response, failure?: FormFailure) => {
    const setup = await pendingSetup(deps, signedIn(res).userId);
    const body = html`<h2>${t('totp.setup.title')}</h2>
${setupForm({ setup, action: `${SECTION}/setup`, csrf: deps.csrf.token(req, res), error: failure?.errors.code })}`;
    sendConsolePage(deps, req, res, { section: SECTION, body, errors: failure?.errors, formError: failure?.formError, status: failure?.status });
  };

  const showCodes = (req: Request, res: Response, codes: string[]) =>
    sendConsolePage(deps, req, res, {
      section: SECTION,
      body: html`<h2>${t('totp.codes.title')}</h2>
${recoveryCodesList(codes, html`<p class="links"><a href="${SECTION}">${t('console.two_step.back')}</a></p>`)}`,
    });

  /** Runs a handler; a refusal by the account service shows on the section page. */
  const action =
    (handler: (req: Request, res: Response) => Promise<void>, onFailure: (req: Request, res: Response, failure: FormFailure) => Promise<void> = render) =>
    async (req: Request, res: Response, next: (error?: unknown) => void) => {
      try {
        await handler(req, res);
      } catch (error) {
        try {
          await onFailure(req, res, formFailure(error, ['code']));
        } catch (inner) {
          next(inner);
        }
      }
    };

  router.get(SECTION, action(render));
  router.get(`${SECTION}/setup`, action(renderSetup));
  router.post(
    `${SECTION}/setup`,
    action(async (req, res) => showCodes(req, res, await confirmTotpSetup(deps, actorOf(req, res), fieldOf(req, 'code').replace(/\s/g, ''))), renderSetup),
  );
  router.post(
    `${SECTION}/recovery-codes`,
    action(async (req, res) => {
      if (!(await requireRecentSecondFactor(deps, req, res, SECTION, (await twoStepStatus(deps, signedIn(res).userId)).totpEnabled))) return;
      showCodes(req, res, await regenerateRecoveryCodes(deps, actorOf(req, res)));
    }),
  );
  router.post(
    `${SECTION}/turn-off`,
    action(async (req, res) => {
      if (!(await requireRecentSecondFactor(deps, req, res, SECTION, (await twoStepStatus(deps, signedIn(res).userId)).totpEnabled))) return;
      await turnOffTotp(deps, actorOf(req, res));
      res.redirect(303, `${SECTION}?done=off`);
    }),
  );
  return router;
}
