import { countCredentials } from '../db/webauthn.ts';
import { t } from '../interactions/i18n/index.ts';
import type { SignInMethod } from '../interactions/method.ts';
import { html } from '../interactions/views/html.ts';
import { offerPasskeyAfterSignUp } from './after-sign-up.ts';
import { passkeysSection } from './console.ts';
import { passkeyRoutes } from './routes.ts';
import { PASSKEY_SCRIPTS, passkeyForm } from './views.ts';

/**
 * Passkeys (WebAuthn, discoverable credentials): sign in with one alone
 * (user verification makes it two factors: amr [hwk|swk, mfa], acr aal2),
 * also offered in the email field's autofill; or use one as the second
 * factor; add one right after sign-up, in the console, or when the policy
 * requires a second factor. 'hwk' for a device-bound passkey, 'swk' for a
 * synced one.
 */
export const passkeyMethod: SignInMethod = {
  id: 'passkey',
  amr: 'hwk',
  enabled: () => true,
  routes: passkeyRoutes,
  signInEntry: ({ deps, req, res, base, state }) => ({
    placement: 'alternative',
    // After a refused attempt the page waits for the person (the button), rather than offering the autofill again at once.
    html: passkeyForm({ action: `${base}/passkey`, options: `${base}/passkey/options`, mode: 'authenticate', csrf: deps.csrf.token(req, res), label: t('passkeys.signin'), autofill: !state.formError }),
    scripts: PASSKEY_SCRIPTS,
    autocomplete: 'webauthn',
  }),
  secondFactor: {
    enrolled: async (deps, userId) => (await countCredentials(deps.db.knex, userId)) > 0,
    entry: ({ deps, req, res, base }) => ({
      html: html`<p>${t('passkeys.mfa.lead')}</p>
${passkeyForm({ action: `${base}/passkey/mfa`, options: `${base}/passkey/mfa/options`, mode: 'authenticate', csrf: deps.csrf.token(req, res), label: t('passkeys.use'), primary: true })}`,
      scripts: PASSKEY_SCRIPTS,
    }),
    enrol: ({ deps, req, res, base }) => ({
      html: html`<p>${t('passkeys.enrol.lead')}</p>
${passkeyForm({ action: `${base}/passkey/enrol`, options: `${base}/passkey/enrol/options`, mode: 'register', csrf: deps.csrf.token(req, res), label: t('passkeys.add'), nameField: true, primary: true })}`,
      scripts: PASSKEY_SCRIPTS,
    }),
  },
  afterSignUp: offerPasskeyAfterSignUp,
  console: { path: '/account/passkeys', title: 'console.passkeys.title', router: passkeysSection },
};
