import { Router, type Request, type Response } from 'express';
import { confirmEmailChange, startEmailChange } from '../../account/email-change.ts';
import { t } from '../../interactions/i18n/index.ts';
import { html } from '../../interactions/views/html.ts';
import { csrfInput, field } from '../../interactions/views/layout.ts';
import { actorOf, fieldOf, formFailure, type FormFailure } from '../actions.ts';
import type { ConsoleDeps } from '../deps.ts';
import { signedIn } from '../guard.ts';
import { doneNotice, sendConsolePage } from '../views.ts';

/**
 * Change the address in two steps (account/email-change.ts): a code goes to
 * the new address; only entering it makes the change.
 */
export function emailSection(deps: ConsoleDeps): Router {
  const router = Router();

  const askAddress = (req: Request, res: Response, value = '', failure?: FormFailure) => {
    const email = signedIn(res).user.email;
    const body = html`<p class="lead">${email ? t('console.email.current', { email }) : t('console.email.none')}</p>
<form method="post" action="/account/email" novalidate>
${csrfInput(deps.csrf.token(req, res))}
${field({ name: 'email', label: t('console.email.new'), type: 'email', value, autocomplete: 'email', error: failure?.errors.email })}
<button type="submit" class="primary">${t('console.email.send')}</button>
</form>`;
    sendConsolePage(deps, req, res, {
      section: '/account/email',
      body,
      notice: doneNotice(req, { changed: 'console.email.changed' }),
      errors: failure?.errors,
      formError: failure?.formError,
      status: failure?.status,
    });
  };

  const askCode = (req: Request, res: Response, email: string, failure?: FormFailure) => {
    const body = html`<form method="post" action="/account/email/confirm" novalidate>
${csrfInput(deps.csrf.token(req, res))}
<input type="hidden" name="email" value="${email}">
${field({ name: 'code', label: t('field.code'), autocomplete: 'one-time-code', inputmode: 'numeric', error: failure?.errors.code, autofocus: true })}
<button type="submit" class="primary">${t('console.email.confirm')}</button>
</form>`;
    sendConsolePage(deps, req, res, {
      section: '/account/email',
      body,
      notice: failure ? undefined : t('console.email.code_sent', { email }),
      errors: failure?.errors,
      formError: failure?.formError,
      status: failure?.status,
    });
  };

  router.get('/account/email', (req, res) => askAddress(req, res));

  router.post('/account/email', async (req, res, next) => {
    const email = fieldOf(req, 'email');
    try {
      const started = await startEmailChange(deps, actorOf(req, res), email);
      askCode(req, res, started.email);
    } catch (error) {
      try {
        askAddress(req, res, email, formFailure(error, ['email']));
      } catch (inner) {
        next(inner);
      }
    }
  });

  router.post('/account/email/confirm', async (req, res, next) => {
    const email = fieldOf(req, 'email');
    try {
      await confirmEmailChange(deps, actorOf(req, res), { email, code: fieldOf(req, 'code') });
      res.redirect(303, '/account/email?done=changed');
    } catch (error) {
      try {
        const failure = formFailure(error, ['email', 'code']);
        // A problem with the address itself (taken meanwhile, malformed) goes back to the first step.
        if (failure.errors.email) askAddress(req, res, email, failure);
        else askCode(req, res, email, failure);
      } catch (inner) {
        next(inner);
      }
    }
  });
  return router;
}
