import { t } from '../interactions/i18n/index.ts';
import { html, type Html } from '../interactions/views/html.ts';
import { csrfInput, errorSummary, field, layout, type Brand } from '../interactions/views/layout.ts';

/** The scripts every passkey form needs: the library's browser bundle, then ours (assets.ts). */
export const PASSKEY_SCRIPTS = ['/assets/simplewebauthn-browser.js', '/assets/passkeys.js'];

export type PasskeyFormOptions = {
  /** Where the finished ceremony is posted (the form's action). */
  action: string;
  /** Where the script fetches the ceremony's options. */
  options: string;
  mode: 'authenticate' | 'register';
  csrf: string;
  label: string;
  /** Also offer the passkeys in the email field's autofill (conditional UI). */
  autofill?: boolean;
  /** Ask for a name (registration). */
  nameField?: boolean;
  primary?: boolean;
};

/**
 * A form that runs a WebAuthn ceremony (passkeys.js) and posts its result in
 * the hidden `response` field. Without JavaScript the button posts an empty
 * response, and the server answers that passkeys need JavaScript.
 */
export function passkeyForm(o: PasskeyFormOptions): Html {
  return html`<form method="post" action="${o.action}" class="passkey stack" data-passkey="${o.mode}" data-passkey-options="${o.options}"${o.autofill ? html` data-passkey-autofill` : ''} data-msg-cancelled="${t('passkeys.cancelled')}" data-msg-failed="${o.mode === 'register' ? t('passkeys.register_failed') : t('passkeys.failed')}" data-msg-unsupported="${t('passkeys.unsupported')}">
${csrfInput(o.csrf)}
<input type="hidden" name="response" value="">
${o.nameField ? field({ name: 'name', label: t('passkeys.name'), hint: t('passkeys.name.hint'), autocomplete: 'off', required: false }) : ''}
<p class="field-error" data-passkey-error role="alert" hidden></p>
<button type="submit" class="${o.primary ? 'primary' : 'secondary'}">${o.label}</button>
</form>`;
}

/** "Add a passkey?" right after sign-up: add one now, or go on to the app. */
export function offerPage(o: { brand: Brand; base: string; csrf: string; formError?: string }): Html {
  return layout(o.brand, {
    title: t('passkeys.offer.title'),
    scripts: PASSKEY_SCRIPTS,
    body: html`<p class="lead">${t('passkeys.offer.lead')}</p>
${errorSummary({}, o.formError)}
${passkeyForm({ action: `${o.base}/passkey/offer`, options: `${o.base}/passkey/offer/options`, mode: 'register', csrf: o.csrf, label: t('passkeys.add'), nameField: true, primary: true })}
<form method="post" action="${o.base}/passkey/offer/skip" class="stack">
${csrfInput(o.csrf)}
<button type="submit" class="secondary">${t('passkeys.offer.skip')}</button>
</form>`,
  });
}
