import { codeField } from '../email-code/views.ts';
import { t } from '../interactions/i18n/index.ts';
import { html, type Html } from '../interactions/views/html.ts';
import { csrfInput, errorSummary, field, layout, type Brand, type FieldErrors } from '../interactions/views/layout.ts';
import { newPasswordHint } from './messages.ts';

/** Step 1: the address to send a reset code to. */
export function resetEmailPage(o: { brand: Brand; uid: string; csrf: string; email?: string; error?: string; formError?: string }): Html {
  return layout(o.brand, {
    title: t('page.reset.title'),
    body: html`<p class="lead">${t('page.reset.lead')}</p>
${errorSummary({ email: o.error }, o.formError)}
<form method="post" action="/interaction/${o.uid}/reset" novalidate>
${csrfInput(o.csrf)}
${field({ name: 'email', label: t('field.email'), type: 'email', autocomplete: 'email', value: o.email, error: o.error, autofocus: true })}
<button type="submit" class="primary">${t('action.send_code')}</button>
</form>
<p class="links"><a href="/interaction/${o.uid}">${t('link.back_to_signin')}</a></p>`,
  });
}

/**
 * Step 2: the code and the new password. The same page whether or not the
 * address has an account ("if an account exists …").
 */
export function resetCodePage(o: { brand: Brand; uid: string; csrf: string; email: string; minutes: number; errors?: FieldErrors; formError?: string }): Html {
  const errors = o.errors ?? {};
  return layout(o.brand, {
    title: t('page.reset.code.title'),
    body: html`${errorSummary(errors, o.formError)}
<p class="notice" role="status">${t('notice.code_sent', { email: o.email, minutes: o.minutes })}</p>
<form method="post" action="/interaction/${o.uid}/reset/confirm" novalidate>
${csrfInput(o.csrf)}
<input type="email" name="email" value="${o.email}" autocomplete="username" hidden>
${codeField({ error: errors.code, autofocus: Boolean(errors.code) || !errors.password })}
${field({ name: 'password', label: t('field.new_password'), type: 'password', autocomplete: 'new-password', error: errors.password, hint: newPasswordHint(), autofocus: Boolean(errors.password) && !errors.code })}
<button type="submit" class="primary">${t('action.reset_password')}</button>
</form>
<p class="links"><a href="/interaction/${o.uid}/reset">${t('link.change_email')}</a></p>`,
  });
}
