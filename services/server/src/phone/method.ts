import { t } from '../interactions/i18n/index.ts';
import type { SignInMethod } from '../interactions/method.ts';
import { html } from '../interactions/views/html.ts';
import { phoneSection } from './console.ts';
import { phoneRoutes } from './routes.ts';
import { hasSmsSender } from './sms.ts';

/** Sign-in with a code texted to the account's verified number, and the console's phone section. Off in production without SMS_URL. */
export const phoneMethod: SignInMethod = {
  id: 'phone',
  amr: 'sms',
  enabled: hasSmsSender,
  routes: phoneRoutes,
  signInEntry: ({ base }) => ({
    placement: 'alternative',
    // A GET form: a button that works without JavaScript, styled like the page's others.
    html: html`<form method="get" action="${base}/phone"><button type="submit" class="secondary">${t('action.phone_code')}</button></form>`,
  }),
  console: { path: '/account/phone', title: 'console.phone.title', router: phoneSection },
};
