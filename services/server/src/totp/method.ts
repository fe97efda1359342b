import { t } from '../interactions/i18n/index.ts';
import type { SignInMethod } from '../interactions/method.ts';
import { html } from '../interactions/views/html.ts';
import { twoStepSection } from './console.ts';
import { totpRoutes } from './routes.ts';
import { totpEnabled } from './two-step.ts';
import { totpEntry } from './views.ts';

/**
 * An authenticator app (TOTP) with recovery codes: a second step only, never
 * a way in on its own, so it has no entry on the sign-in page.
 */
export const totpMethod: SignInMethod = {
  id: 'totp',
  amr: 'otp',
  enabled: () => true,
  routes: totpRoutes,
  secondFactor: {
    enrolled: (deps, userId) => totpEnabled(deps, userId),
    entry: ({ deps, req, res, base }) => ({ html: totpEntry({ base, csrf: deps.csrf.token(req, res) }) }),
    enrol: ({ base }) => ({ html: html`<p class="links"><a id="totp-setup" href="${base}/totp/setup">${t('totp.enrol.entry')}</a></p>` }),
  },
  console: { path: '/account/two-step', title: 'console.two_step.title', router: twoStepSection },
};
