import { Router } from 'express';
import { passwordSection } from '../console/sections/password.ts';
import { t } from '../interactions/i18n/index.ts';
import type { SignInMethod } from '../interactions/method.ts';
import { html } from '../interactions/views/html.ts';
import { field } from '../interactions/views/layout.ts';
import { resetRoutes } from './reset-routes.ts';
import { passwordRoutes } from './routes.ts';

/** Email + password: the sign-in page's main form, "forgot password", and the console's password section. */
export const passwordMethod: SignInMethod = {
  id: 'password',
  amr: 'pwd',
  enabled: () => true,
  routes: (deps) => Router().use(passwordRoutes(deps), resetRoutes(deps)),
  signInEntry: ({ base, state }) => ({
    placement: 'form',
    html: html`${field({ name: 'password', label: t('field.password'), type: 'password', autocomplete: 'current-password', error: state.errors?.password, autofocus: Boolean(state.email) && !state.errors?.email })}
<p class="links forgot"><a href="${base}/reset">${t('action.forgot_password')}</a></p>
<button type="submit" class="primary">${t('action.signin')}</button>`,
  }),
  console: { path: '/account/password', title: 'console.password.title', router: passwordSection },
};
