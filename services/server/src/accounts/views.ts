import { codeField } from '../email-code/views.ts';
import { t } from '../interactions/i18n/index.ts';
import { html, type Html } from '../interactions/views/html.ts';
import { csrfInput, errorSummary, field, layout, type Brand, type FieldErrors } from '../interactions/views/layout.ts';
import { newPasswordHint } from '../password/messages.ts';
import type { SignUpValues } from './signup-form.ts';

/** Where a sign-up's forms post: inside an authorization request, or the stand-alone page an invitation link opens. */
export type SignUpPlace = { base: string; signInUrl?: string; client?: string };

export function signUpPage(o: {
  brand: Brand;
  place: SignUpPlace;
  csrf: string;
  values?: Partial<SignUpValues>;
  showInvitation: boolean;
  errors?: FieldErrors;
  formError?: string;
}): Html {
  const errors = o.errors ?? {};
  const values = o.values ?? {};
  // The first field that needs fixing gets the focus (the summary above lists them all).
  const focus = ['email', 'name', 'password', 'invitation'].find((name) => errors[name]) ?? 'email';
  return layout(o.brand, {
    title: t('page.signup.title'),
    body: html`${o.place.client ? html`<p class="lead">${t('page.signin.lead', { client: o.place.client })}</p>` : ''}
${errorSummary(errors, o.formError)}
<form method="post" action="${o.place.base}" novalidate>
${csrfInput(o.csrf)}
${field({ name: 'email', label: t('field.email'), type: 'email', autocomplete: 'email', value: values.email, error: errors.email, autofocus: focus === 'email' })}
${field({ name: 'name', label: t('field.name'), autocomplete: 'name', value: values.name, error: errors.name, hint: t('field.name.hint'), required: false, autofocus: focus === 'name' })}
${field({ name: 'password', label: t('field.password'), type: 'password', autocomplete: 'new-password', error: errors.password, hint: newPasswordHint(), autofocus: focus === 'password' })}
${o.showInvitation ? field({ name: 'invitation', label: t('field.invitation'), autocomplete: 'off', value: values.invitation, error: errors.invitation, hint: t('field.invitation.hint'), autofocus: focus === 'invitation' }) : ''}
<button type="submit" class="primary">${t('action.signup')}</button>
</form>
${o.place.signInUrl ? html`<p class="links"><a href="${o.place.signInUrl}">${t('link.signin')}</a></p>` : ''}`,
  });
}

/** "We sent a code to …": identical whether the address was new or already had an account. */
export function signUpCodePage(o: { brand: Brand; place: SignUpPlace; csrf: string; email: string; minutes: number; error?: string }): Html {
  return layout(o.brand, {
    title: t('page.code.title'),
    body: html`${errorSummary({ code: o.error })}
<p class="notice" role="status">${t('notice.signup_code_sent', { email: o.email, minutes: o.minutes })}</p>
<form method="post" action="${o.place.base}/verify" novalidate>
${csrfInput(o.csrf)}
${codeField({ error: o.error })}
<button type="submit" class="primary">${t('action.continue')}</button>
</form>
<form method="post" action="${o.place.base}/resend" class="links">
${csrfInput(o.csrf)}
<button type="submit" class="secondary">${t('action.resend_code')}</button>
</form>
<p class="links"><a href="${o.place.base}">${t('link.change_email')}</a></p>`,
  });
}

export function signUpDonePage(o: { brand: Brand }): Html {
  return layout(o.brand, {
    title: t('page.signup.done.title'),
    body: html`<p>${t('page.signup.done.body', { product: o.brand.productName })}</p>`,
  });
}

export function signUpClosedPage(o: { brand: Brand; signInUrl?: string }): Html {
  return layout(o.brand, {
    title: t('page.signup.title'),
    body: html`<p role="alert">${t('error.signup_closed')}</p>
<p>${t('page.signup.closed', { product: o.brand.productName })}</p>
${o.signInUrl ? html`<p class="links"><a href="${o.signInUrl}">${t('link.back_to_signin')}</a></p>` : ''}`,
  });
}
