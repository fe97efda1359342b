import { Router } from 'express';
import { AccountError } from '../../account/errors.ts';
import { listSessions, revokeOwnSession, signOutOtherSessions } from '../../account/sessions.ts';
import { t } from '../../interactions/i18n/index.ts';
import { html } from '../../interactions/views/html.ts';
import { csrfInput } from '../../interactions/views/layout.ts';
import { actorOf, fieldOf } from '../actions.ts';
import type { ConsoleDeps } from '../deps.ts';
import { signedIn } from '../guard.ts';
import { doneNotice, sendConsolePage, when } from '../views.ts';

/** Browser sessions: where the person is signed in, and ending any of them but this one (that is "Sign out"). */
export function sessionsSection(deps: ConsoleDeps): Router {
  const router = Router();

  router.get('/account/sessions', async (req, res, next) => {
    try {
      const me = signedIn(res);
      const sessions = await listSessions(deps, me.userId, me.sessionUid);
      const token = deps.csrf.token(req, res);
      const body = html`<p class="lead">${t('console.sessions.lead')}</p>
<ul class="items">
${sessions.map(
  (session) => html`<li class="item">
<h2>${session.browser ?? t('console.sessions.unknown_browser')}${session.current ? html`<span class="badge">${t('console.sessions.current')}</span>` : ''}</h2>
<dl>
<dt>${t('console.sessions.os')}</dt><dd>${session.os ?? '—'}</dd>
<dt>${t('console.sessions.ip')}</dt><dd>${session.ip ?? '—'}</dd>
<dt>${t('console.sessions.last_activity')}</dt><dd>${when(session.last_activity_at)}</dd>
<dt>${t('console.sessions.signed_in')}</dt><dd>${when(session.created_at)}</dd>
</dl>
${session.current
  ? ''
  : html`<form method="post" action="/account/sessions/revoke">
${csrfInput(token)}
<input type="hidden" name="session" value="${session.id}">
<button type="submit" class="secondary">${t('console.sessions.revoke')}</button>
</form>`}
</li>`,
)}
</ul>
${sessions.some((session) => !session.current)
  ? html`<form method="post" action="/account/sessions/revoke-others">
${csrfInput(token)}
<button type="submit" class="secondary">${t('console.sessions.revoke_others')}</button>
</form>`
  : html`<p>${t('console.sessions.none_other')}</p>`}`;
      sendConsolePage(deps, req, res, {
        section: '/account/sessions',
        body,
        notice: doneNotice(req, { revoked: 'console.sessions.revoked', 'revoked-others': 'console.sessions.revoked_others' }),
      });
    } catch (error) {
      next(error);
    }
  });

  router.post('/account/sessions/revoke', async (req, res, next) => {
    try {
      const target = fieldOf(req, 'session');
      // The console's own session ends through "Sign out" (RP-initiated logout), not here.
      if (target !== signedIn(res).sessionUid) {
        // Someone else's session or one already gone: nothing to do, the list shows what is left.
        await revokeOwnSession(deps, actorOf(req, res), target).catch((error: unknown) => {
          if (!(error instanceof AccountError && error.status === 404)) throw error;
        });
      }
      res.redirect(303, '/account/sessions?done=revoked');
    } catch (error) {
      next(error);
    }
  });

  router.post('/account/sessions/revoke-others', async (req, res, next) => {
    try {
      await signOutOtherSessions(deps, actorOf(req, res), signedIn(res).sessionUid);
      res.redirect(303, '/account/sessions?done=revoked-others');
    } catch (error) {
      next(error);
    }
  });
  return router;
}
