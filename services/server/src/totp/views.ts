import { t } from '../interactions/i18n/index.ts';
import { html, type Html } from '../interactions/views/html.ts';
import { csrfInput, field } from '../interactions/views/layout.ts';
import { groupedSeed } from './authenticator.ts';
import type { Setup } from './two-step.ts';

/** The second-factor page's part: a code from the app, or a recovery code. Both forms work without JavaScript. */
export function totpEntry(o: { base: string; csrf: string; codeError?: string; recoveryError?: string }): Html {
  return html`<form method="post" action="${o.base}/totp" novalidate>
${csrfInput(o.csrf)}
${field({ name: 'code', label: t('totp.field.code'), autocomplete: 'one-time-code', inputmode: 'numeric', error: o.codeError, autofocus: true })}
<button type="submit" class="primary">${t('totp.verify')}</button>
</form>
<form method="post" action="${o.base}/recovery-code" novalidate>
${csrfInput(o.csrf)}
${field({ name: 'recovery_code', label: t('totp.field.recovery_code'), autocomplete: 'off', hint: t('totp.recovery.lead'), error: o.recoveryError })}
<button type="submit" class="secondary">${t('totp.recovery.use')}</button>
</form>`;
}

/** The set-up: the QR code (inline SVG), the key as text for typing by hand, and the code that proves the app has it. */
export function setupForm(o: { setup: Setup; action: string; csrf: string; error?: string }): Html {
  return html`<p>${t('totp.setup.scan')}</p>
<figure class="totp-qr" role="img" aria-label="${t('totp.setup.qr_label')}">${o.setup.qr}</figure>
<p>${t('totp.setup.manual')}</p>
<p><code id="totp-secret" class="totp-secret">${groupedSeed(o.setup.seed)}</code></p>
<form method="post" action="${o.action}" novalidate>
${csrfInput(o.csrf)}
${field({ name: 'code', label: t('totp.field.code'), autocomplete: 'one-time-code', inputmode: 'numeric', hint: t('totp.setup.code_hint'), error: o.error })}
<button type="submit" class="primary">${t('totp.setup.confirm')}</button>
</form>`;
}

/** The new recovery codes, shown this once, and the way on. */
export function recoveryCodesList(codes: readonly string[], next: Html): Html {
  return html`<p class="lead">${t('totp.codes.lead')}</p>
<ol id="recovery-codes" class="recovery-codes">
${codes.map((code) => html`<li><code>${code}</code></li>`)}
</ol>
${next}`;
}
