import { Router, type Request, type Response } from 'express';
import { actorOf, fieldOf, formFailure, type FormFailure } from '../console/actions.ts';
import type { ConsoleDeps } from '../console/deps.ts';
import { signedIn } from '../console/guard.ts';
import { doneNotice, sendConsolePage } from '../console/views.ts';
import { t } from '../interactions/i18n/index.ts';
import { html } from '../interactions/views/html.ts';
import { csrfInput } from '../interactions/views/layout.ts';
import { confirmPhone, getPhoneStatus, removePhone, startPhoneVerification } from './manage.ts';
import { phoneField, smsCodeField } from './views.ts';

/**
 * /account/phone: add or change the number (a code is texted to it; only
 * entering it makes the change, manage.ts), or remove it unless it is the
 * last way in.
 */
export function phoneSection(deps: ConsoleDeps): Router {
  const router = Router();
  const region = deps.config.phoneRegion;

  const askNumber = async (req: Request, res: Response, value = '', failure?: FormFailure) => {
    const status = await getPhoneStatus(deps, signedIn(res).userId);
    const current = status.verified ? status.phone : null;
    const csrf = deps.csrf.token(req, res);
    const body = html`<p class="lead">${current ? t('console.phone.current', { phone: current }) : t('console.phone.none')}</p>
<form method="post" action="/account/phone" novalidate>
${csrfInput(csrf)}
${phoneField({ region, label: t('console.phone.new'), value, error: failure?.errors.phone, autofocus: false })}
<button type="submit" class="primary">${t('console.phone.send')}</button>
</form>
${status.phone
  ? html`<form method="post" action="/account/phone/remove" class="stack">
${csrfInput(csrf)}
<p><button type="submit" class="secondary">${t('console.phone.remove')}</button></p>
</form>`
  : ''}`;
    sendConsolePage(deps, req, res, {
      section: '/account/phone',
      body,
      notice: doneNotice(req, { verified: 'console.phone.verified', removed: 'console.phone.removed' }),
      errors: failure?.errors,
      formError: failure?.formError,
      status: failure?.status,
    });
  };

  const askCode = (req: Request, res: Response, phone: string, failure?: FormFailure) => {
    const body = html`<form method="post" action="/account/phone/confirm" novalidate>
${csrfInput(deps.csrf.token(req, res))}
<input type="hidden" name="phone" value="${phone}">
${smsCodeField({ error: failure?.errors.code })}
<button type="submit" class="primary">${t('console.phone.confirm')}</button>
</form>`;
    sendConsolePage(deps, req, res, {
      section: '/account/phone',
      body,
      notice: failure ? undefined : t('console.phone.code_sent', { phone }),
      errors: failure?.errors,
      formError: failure?.formError,
      status: failure?.status,
    });
  };

  const onError = (next: (error: unknown) => void, show: (failure: FormFailure) => Promise<void> | void) => async (error: unknown) => {
    try {
      await show(formFailure(error, ['phone', 'code']));
    } catch (inner) {
      next(inner);
    }
  };

  router.get('/account/phone', (req, res, next) => {
    askNumber(req, res).catch(next);
  });

  router.post('/account/phone', async (req, res, next) => {
    const typed = fieldOf(req, 'phone').slice(0, 40);
    try {
      const started = await startPhoneVerification(deps, actorOf(req, res), typed);
      askCode(req, res, started.phone);
    } catch (error) {
      await onError(next, (failure) => askNumber(req, res, typed, failure))(error);
    }
  });

  router.post('/account/phone/confirm', async (req, res, next) => {
    const phone = fieldOf(req, 'phone').slice(0, 40);
    try {
      await confirmPhone(deps, actorOf(req, res), { phone, code: fieldOf(req, 'code'), via: 'console' });
      res.redirect(303, '/account/phone?done=verified');
    } catch (error) {
      // A problem with the number itself (taken, malformed) goes back to the first step.
      await onError(next, (failure) => (failure.errors.phone || failure.status === 404 ? askNumber(req, res, phone, failure) : askCode(req, res, phone, failure)))(error);
    }
  });

  router.post('/account/phone/remove', async (req, res, next) => {
    try {
      await removePhone(deps, actorOf(req, res));
      res.redirect(303, '/account/phone?done=removed');
    } catch (error) {
      await onError(next, (failure) => askNumber(req, res, '', failure))(error);
    }
  });
  return router;
}
