import { t } from '../interactions/i18n/index.ts';
import { html, type Html } from '../interactions/views/html.ts';
import { csrfInput, errorSummary, field, layout, type Brand } from '../interactions/views/layout.ts';
import { CODE_TTL_SECONDS } from '../verification/codes.ts';

const minutes = Math.round(CODE_TTL_SECONDS / 60);

/** The phone number input (type tel, autocomplete tel), for sign-in and the console. */
export function phoneField(o: { region: string | undefined; label?: string; value?: string; error?: string; autofocus?: boolean }): Html {
  return field({
    name: 'phone',
    label: o.label ?? t('field.phone'),
    type: 'tel',
    autocomplete: 'tel',
    hint: o.region ? t('field.phone.hint_region', { region: o.region }) : t('field.phone.hint'),
    value: o.value,
    error: o.error,
    autofocus: o.autofocus ?? true,
  });
}

/** The one-time-code input for a texted code. */
export function smsCodeField(o: { error?: string; autofocus?: boolean } = {}): Html {
  return field({
    name: 'code',
    label: t('field.phone_code'),
    hint: t('field.phone_code.hint', { minutes }),
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    error: o.error,
    autofocus: o.autofocus ?? true,
  });
}

/** "Text me a sign-in code": asks for the number. */
export function phonePage(o: { brand: Brand; uid: string; client: string; csrf: string; region: string | undefined; phone?: string; error?: string; formError?: string }): Html {
  return layout(o.brand, {
    title: t('page.phone.title'),
    body: html`<p class="lead">${t('page.phone.lead', { client: o.client })}</p>
${errorSummary({ phone: o.error }, o.formError)}
<form method="post" action="/interaction/${o.uid}/phone" novalidate>
${csrfInput(o.csrf)}
${phoneField({ region: o.region, value: o.phone, error: o.error })}
<button type="submit" class="primary">${t('action.send_code')}</button>
</form>
<p class="links"><a href="/interaction/${o.uid}">${t('action.use_password')}</a></p>`,
  });
}

/**
 * "Enter the code we texted": the same page whether or not an account uses
 * the number (the notice says "if an account uses").
 */
export function phoneCodePage(o: { brand: Brand; uid: string; csrf: string; phone: string; resent?: boolean; error?: string; formError?: string }): Html {
  const notice = t(o.resent ? 'notice.phone_code_resent' : 'notice.phone_code_sent', { phone: o.phone, minutes });
  return layout(o.brand, {
    title: t('page.phone_code.title'),
    body: html`${errorSummary({ code: o.error }, o.formError)}
<p class="notice" role="status">${notice}</p>
<form method="post" action="/interaction/${o.uid}/phone/verify" novalidate>
${csrfInput(o.csrf)}
<input type="hidden" name="phone" value="${o.phone}">
${smsCodeField({ error: o.error })}
<button type="submit" class="primary">${t('action.signin')}</button>
</form>
<form method="post" action="/interaction/${o.uid}/phone" class="stack">
${csrfInput(o.csrf)}
<input type="hidden" name="phone" value="${o.phone}">
<input type="hidden" name="resend" value="1">
<p><button type="submit" class="secondary">${t('action.resend_code')}</button></p>
</form>
<p class="links"><a href="/interaction/${o.uid}/phone">${t('link.change_phone')}</a> · <a href="/interaction/${o.uid}">${t('action.use_password')}</a></p>`,
  });
}
