import type { KoaContextWithOIDC } from 'oidc-provider';
import { t } from './i18n/index.ts';
import { html } from './views/html.ts';
import { layout, type Brand } from './views/layout.ts';
import { logoOrigin, sendProviderPage, xsrfFrom } from './views/provider-page.ts';

/**
 * RP-initiated logout pages. oidc-provider validates the request (a
 * post_logout_redirect_uri must be registered for the client named by
 * client_id or id_token_hint) and checks the xsrf token on the confirming
 * POST; these sources only render.
 *
 * "Sign out" ends the Latchkey session. "Stay signed in" keeps it, but the
 * app that asked still loses its authorization (oidc-provider's semantics).
 */
export function logoutPages(brand: Brand) {
  const imgSrc = logoOrigin(brand);
  return {
    async logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
      const client = ctx.oidc.client;
      const lead = client
        ? t('logout.lead_client', { client: client.clientName ?? client.clientId, product: brand.productName })
        : t('logout.lead', { product: brand.productName });
      const body = html`<p class="lead">${lead}</p>
<form method="post" action="${ctx.oidc.urlFor('end_session_confirm')}">
<input type="hidden" name="xsrf" value="${xsrfFrom(form)}">
<div class="actions">
<button type="submit" class="secondary">${t('action.stay')}</button>
<button type="submit" name="logout" value="yes" class="primary">${t('action.signout')}</button>
</div>
</form>`;
      sendProviderPage(ctx, layout(brand, { title: t('page.logout.title'), body }), { imgSrc });
    },

    async postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
      // oidc-provider names the client here only when the person chose to stay signed in.
      const client = ctx.oidc.client;
      const message = client
        ? t('logout.done_stayed', { client: client.clientName ?? client.clientId, product: brand.productName })
        : t('logout.done', { product: brand.productName });
      const body = html`<p class="notice" role="status">${message}</p>`;
      sendProviderPage(ctx, layout(brand, { title: t('page.logout.done_title'), body }), { imgSrc });
    },
  };
}
