import { t } from '../i18n/index.ts';
import type { RequestedAccess } from '../requested-access.ts';
import { html, type Html } from './html.ts';

/** The list of what a client asks for, as shown on the consent and device confirmation pages. */
export function accessList(access: RequestedAccess): Html {
  const empty = !access.scopes.length && !access.claims.length && !access.apis.length;
  return html`<ul class="scopes">
${empty ? html`<li>${t('consent.reconfirm')}</li>` : ''}
${access.scopes.map((scope) => html`<li data-scope="${scope.name}">${scope.description}</li>`)}
${access.claims.length ? html`<li>${t('consent.claims', { claims: access.claims.join(', ') })}</li>` : ''}
${access.apis.map(
  (api) => html`<li data-api="${api.identifier}">${t('consent.api', { api: api.name })}
<ul>
${api.scopes.map((scope) => html`<li data-scope="${scope.name}">${scope.description}</li>`)}
</ul>
</li>`,
)}
</ul>`;
}
