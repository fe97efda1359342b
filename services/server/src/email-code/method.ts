import { t } from '../interactions/i18n/index.ts';
import type { SignInMethod } from '../interactions/method.ts';
import { html } from '../interactions/views/html.ts';
import { emailCodeRoutes } from './routes.ts';

/** Passwordless sign-in with a code mailed to the address in the sign-in form (the verification/ service). */
export const emailCodeMethod: SignInMethod = {
  id: 'email-code',
  amr: 'otp',
  enabled: () => true,
  routes: emailCodeRoutes,
  signInEntry: ({ base }) => ({
    placement: 'form',
    html: html`<p class="divider">${t('page.signin.or')}</p>
<button type="submit" class="secondary" formaction="${base}/email-code" formnovalidate>${t('action.email_code')}</button>`,
  }),
};
