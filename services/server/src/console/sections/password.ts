import { Router, type Request, type Response } from 'express';
import { changePassword } from '../../account/password-change.ts';
import { t } from '../../interactions/i18n/index.ts';
import { html } from '../../interactions/views/html.ts';
import { csrfInput, field } from '../../interactions/views/layout.ts';
import { actorOf, fieldOf, formFailure, type FormFailure } from '../actions.ts';
import type { ConsoleDeps } from '../deps.ts';
import { signedIn } from '../guard.ts';
import { doneNotice, sendConsolePage } from '../views.ts';

/** Change (or first set) the password; every other browser session is signed out (account/password-change.ts). */
export function passwordSection(deps: ConsoleDeps): Router {
  const router = Router();

  const render = async (req: Request, res: Response, failure?: FormFailure) => {
    const me = signedIn(res);
    const hasPassword = Boolean(((await deps.db.knex('users').where({ id: me.userId }).first('password_hash')) as { password_hash: string | null } | undefined)?.password_hash);
    const body = html`${hasPassword ? '' : html`<p class="lead">${t('console.password.none')}</p>`}
<form method="post" action="/account/password" novalidate>
${csrfInput(deps.csrf.token(req, res))}
<input type="hidden" name="username" value="${me.user.email ?? ''}" autocomplete="username">
${hasPassword ? field({ name: 'current_password', label: t('console.password.current'), type: 'password', autocomplete: 'current-password', error: failure?.errors.current_password }) : ''}
${field({ name: 'new_password', label: t('field.new_password'), type: 'password', autocomplete: 'new-password', error: failure?.errors.new_password })}
<button type="submit" class="primary">${t('console.password.change')}</button>
</form>`;
    sendConsolePage(deps, req, res, {
      section: '/account/password',
      body,
      notice: doneNotice(req, { changed: 'console.password.changed' }),
      errors: failure?.errors,
      formError: failure?.formError,
      status: failure?.status,
    });
  };

  router.get('/account/password', async (req, res, next) => {
    try {
      await render(req, res);
    } catch (error) {
      next(error);
    }
  });

  router.post('/account/password', async (req, res, next) => {
    try {
      await changePassword(deps, actorOf(req, res), {
        currentPassword: fieldOf(req, 'current_password'),
        newPassword: fieldOf(req, 'new_password'),
        keepSessionId: signedIn(res).sessionUid,
      });
      res.redirect(303, '/account/password?done=changed');
    } catch (error) {
      try {
        await render(req, res, formFailure(error, ['current_password', 'new_password']));
      } catch (inner) {
        next(inner);
      }
    }
  });
  return router;
}
