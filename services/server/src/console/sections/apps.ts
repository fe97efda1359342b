import { Router } from 'express';
import { listApps, revokeApp } from '../../account/apps.ts';
import { AccountError } from '../../account/errors.ts';
import { t } from '../../interactions/i18n/index.ts';
import { html } from '../../interactions/views/html.ts';
import { csrfInput } from '../../interactions/views/layout.ts';
import { ACCOUNT_CONSOLE_CLIENT_ID } from '../../oidc/console-client.ts';
import { actorOf, fieldOf } from '../actions.ts';
import type { ConsoleDeps } from '../deps.ts';
import { signedIn } from '../guard.ts';
import { doneNotice, sendConsolePage, when } from '../views.ts';

/** Apps holding a grant to the account (account/apps.ts); removing one revokes its grants and tokens. The console itself is not listed. */
export function appsSection(deps: ConsoleDeps): Router {
  const router = Router();

  router.get('/account/apps', async (req, res, next) => {
    try {
      const apps = (await listApps(deps, signedIn(res).userId)).filter((app) => app.client_id !== ACCOUNT_CONSOLE_CLIENT_ID);
      const token = deps.csrf.token(req, res);
      const body = html`<p class="lead">${t('console.apps.lead')}</p>
${apps.length
  ? html`<ul class="items">
${apps.map(
  (app) => html`<li class="item">
<h2>${app.client_name ?? app.client_id}</h2>
<dl>
<dt>${t('console.apps.access')}</dt><dd>${[...app.scopes, ...app.resources.flatMap((r) => r.scopes.map((scope) => `${scope} (${r.resource})`))].join(', ') || '—'}</dd>
<dt>${t('console.apps.since')}</dt><dd>${when(app.first_granted_at)}</dd>
</dl>
<form method="post" action="/account/apps/revoke">
${csrfInput(token)}
<input type="hidden" name="client_id" value="${app.client_id}">
<button type="submit" class="secondary" aria-label="${t('console.apps.revoke')}: ${app.client_name ?? app.client_id}">${t('console.apps.revoke')}</button>
</form>
</li>`,
)}
</ul>`
  : html`<p>${t('console.apps.none')}</p>`}`;
      sendConsolePage(deps, req, res, { section: '/account/apps', body, notice: doneNotice(req, { revoked: 'console.apps.revoked' }) });
    } catch (error) {
      next(error);
    }
  });

  router.post('/account/apps/revoke', async (req, res, next) => {
    try {
      const clientId = fieldOf(req, 'client_id');
      if (clientId !== ACCOUNT_CONSOLE_CLIENT_ID) {
        // Not (or no longer) connected: the list shows what is left.
        await revokeApp(deps, actorOf(req, res), clientId).catch((error: unknown) => {
          if (!(error instanceof AccountError && error.status === 404)) throw error;
        });
      }
      res.redirect(303, '/account/apps?done=revoked');
    } catch (error) {
      next(error);
    }
  });
  return router;
}
