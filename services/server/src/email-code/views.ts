import type { Brand } from '../interactions/views/layout.ts';
import { t } from '../interactions/i18n/index.ts';
import { html, type Html } from '../interactions/views/html.ts';
import { csrfInput, errorSummary, field, layout } from '../interactions/views/layout.ts';
import { CODE_TTL_SECONDS } from '../verification/codes.ts';

const minutes = Math.round(CODE_TTL_SECONDS / 60);

/** The one-time-code input, for any page that asks for a mailed code (sign-up verification, reset too). */
export function codeField(options: { error?: string; autofocus?: boolean } = {}): Html {
  return field({
    name: 'code',
    label: t('field.code'),
    hint: t('field.code.hint', { minutes }),
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    error: options.error,
    autofocus: options.autofocus ?? true,
  });
}

/** "Email me a code": asks for the address. */
export function emailPage(o: { brand: Brand; uid: string; client: string; csrf: string; email?: string; error?: string; formError?: string }): Html {
  return layout(o.brand, {
    title: t('page.email_code.title'),
    body: html`<p class="lead">${t('page.email_code.lead', { client: o.client })}</p>
${errorSummary({ email: o.error }, o.formError)}
<form method="post" action="/interaction/${o.uid}/email-code" novalidate>
${csrfInput(o.csrf)}
${field({ name: 'email', label: t('field.email'), type: 'email', autocomplete: 'email', value: o.email, error: o.error, autofocus: true })}
<button type="submit" class="primary">${t('action.send_code')}</button>
</form>
<p class="links"><a href="/interaction/${o.uid}">${t('action.use_password')}</a></p>`,
  });
}

/**
 * "Enter the code we sent": the same page whether or not an account exists
 * for the address (the notice says "if an account exists").
 */
export function codePage(o: { brand: Brand; uid: string; csrf: string; email: string; resent?: boolean; error?: string; formError?: string }): Html {
  const notice = t(o.resent ? 'notice.code_resent' : 'notice.code_sent', { email: o.email, minutes });
  return layout(o.brand, {
    title: t('page.code.title'),
    body: html`${errorSummary({ code: o.error }, o.formError)}
<p class="notice" role="status">${notice}</p>
<form method="post" action="/interaction/${o.uid}/email-code/verify" novalidate>
${csrfInput(o.csrf)}
<input type="hidden" name="email" value="${o.email}">
${codeField({ error: o.error })}
<button type="submit" class="primary">${t('action.signin')}</button>
</form>
<form method="post" action="/interaction/${o.uid}/email-code" class="stack">
${csrfInput(o.csrf)}
<input type="hidden" name="email" value="${o.email}">
<input type="hidden" name="resend" value="1">
<p><button type="submit" class="secondary">${t('action.resend_code')}</button></p>
</form>
<p class="links"><a href="/interaction/${o.uid}/email-code">${t('link.change_email')}</a> · <a href="/interaction/${o.uid}">${t('action.use_password')}</a></p>`,
  });
}
