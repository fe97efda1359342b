import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/env.ts';
import { pageHeaders } from '../http/security-headers.ts';
import { t } from '../interactions/i18n/index.ts';
import { html } from '../interactions/views/html.ts';
import { layout } from '../interactions/views/layout.ts';
import { logoOrigin } from '../interactions/views/provider-page.ts';

/**
 * The page a browser sees when an authorization request fails before it can
 * be sent back to the client. Shows only the OAuth error code and its public
 * description (oidc-provider writes those for clients; never internals).
 */
export function renderErrorPage(brand: Config['brand'], ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }): void {
  // Same CSP as the hosted pages, so the configured logo shows here too.
  ctx.set(pageHeaders({ imgSrc: logoOrigin(brand) }));
  ctx.type = 'html';
  ctx.body = layout(brand, {
    title: t('page.error.title'),
    body: html`<p>${out.error_description ?? t('page.error.lead')}</p>
<p class="hint">${t('page.error.code', { code: out.error ?? 'server_error' })}</p>`,
  }).value;
}
