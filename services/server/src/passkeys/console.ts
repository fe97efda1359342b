import { createHash } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { actorOf, fieldOf, formFailure, type FormFailure } from '../console/actions.ts';
import type { ConsoleDeps } from '../console/deps.ts';
import { signedIn } from '../console/guard.ts';
import { requireRecentSecondFactor } from '../console/step-up.ts';
import { doneNotice, sendConsolePage, when } from '../console/views.ts';
import { listCredentials } from '../db/webauthn.ts';
import { limitFlowStarts } from '../interactions/flow-limit.ts';
import { t } from '../interactions/i18n/index.ts';
import { html } from '../interactions/views/html.ts';
import { csrfInput } from '../interactions/views/layout.ts';
import { parseRegistration, registrationOptions, verifyRegistration } from './ceremony.ts';
import { addPasskey, listPasskeys, passkeyName, PASSKEY_NAME_MAX, removePasskey, renamePasskey } from './manage.ts';
import { passkeyForm } from './views.ts';

const SECTION = '/account/passkeys';

/** Registration challenges are bound to the console session (by a hash: the store never holds the cookie's id). */
const flowOf = (consoleSessionId: string) => `console:${createHash('sha256').update(consoleSessionId).digest('base64url')}`;

/**
 * /account/passkeys: list, add (a registration that excludes the ones the
 * account has), rename, remove (after a recent two-factor sign-in, never the
 * last way in). The rules are manage.ts's, shared with the account API.
 */
export function passkeysSection(deps: ConsoleDeps): Router {
  const router = Router();

  const render = async (req: Request, res: Response, failure?: FormFailure) => {
    const me = signedIn(res);
    const passkeys = await listPasskeys(deps, me.userId);
    const csrf = deps.csrf.token(req, res);
    const body = html`<p class="lead">${t('console.passkeys.lead')}</p>
<section aria-labelledby="passkey-list">
<h2 id="passkey-list">${t('console.passkeys.title')}</h2>
${passkeys.length
  ? html`<ul class="items">
${passkeys.map(
  (passkey) => html`<li class="item" data-passkey-id="${passkey.id}">
<h3>${passkey.name}</h3>
<dl>
<dt>${t('console.passkeys.kind')}</dt><dd>${passkey.synced ? t('console.passkeys.synced') : t('console.passkeys.device_bound')}</dd>
<dt>${t('console.passkeys.created')}</dt><dd>${when(passkey.created_at)}</dd>
<dt>${t('console.passkeys.last_used')}</dt><dd>${passkey.last_used_at ? when(passkey.last_used_at) : t('console.passkeys.never')}</dd>
</dl>
<form method="post" action="${SECTION}/${passkey.id}/rename" class="inline" novalidate>
${csrfInput(csrf)}
<label for="name-${passkey.id}">${t('passkeys.name')}</label>
<input id="name-${passkey.id}" name="name" type="text" value="${passkey.name}" maxlength="${PASSKEY_NAME_MAX}" autocomplete="off" required>
<button type="submit" class="secondary">${t('console.passkeys.rename')}</button>
</form>
<form method="post" action="${SECTION}/${passkey.id}/remove">
${csrfInput(csrf)}
<button type="submit" class="secondary" aria-label="${t('console.passkeys.remove')}: ${passkey.name}">${t('console.passkeys.remove')}</button>
</form>
</li>`,
)}
</ul>`
  : html`<p>${t('console.passkeys.none')}</p>`}
</section>
<section aria-labelledby="passkey-add">
<h2 id="passkey-add">${t('passkeys.add')}</h2>
${passkeyForm({ action: SECTION, options: `${SECTION}/options`, mode: 'register', csrf, label: t('passkeys.add'), nameField: true, primary: true })}
</section>`;
    sendConsolePage(deps, req, res, {
      section: SECTION,
      body,
      notice: doneNotice(req, { added: 'console.passkeys.added', renamed: 'console.passkeys.renamed', removed: 'console.passkeys.removed' }),
      errors: failure?.errors,
      formError: failure?.formError,
      status: failure?.status,
      scripts: ['/assets/simplewebauthn-browser.js', '/assets/passkeys.js'],
    });
  };

  const handle = (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response, next: (error?: unknown) => void) => {
    try {
      await handler(req, res);
    } catch (error) {
      try {
        await render(req, res, formFailure(error, ['name']));
      } catch (inner) {
        next(inner);
      }
    }
  };

  router.get(SECTION, handle(render));

  router.post(`${SECTION}/options`, limitFlowStarts(deps, 'json'));
  router.post(
    `${SECTION}/options`,
    handle(async (_req, res) => {
      const me = signedIn(res);
      const existing = await listCredentials(deps.db.knex, me.userId);
      const options = await registrationOptions(deps, { flowId: flowOf(me.id), user: me.user, exclude: existing, userVerification: 'required' });
      res.set('Cache-Control', 'no-store').json(options);
    }),
  );

  router.post(
    SECTION,
    handle(async (req, res) => {
      const me = signedIn(res);
      const parsed = parseRegistration(req.body?.response);
      if (!parsed) return render(req, res, { errors: {}, formError: t(req.body?.response ? 'passkeys.register_failed' : 'passkeys.needs_js'), status: 400 });
      const result = await verifyRegistration(deps, { flowId: flowOf(me.id), parsed, userId: me.userId, requireUserVerification: true });
      if (!result.ok) return render(req, res, { errors: {}, formError: t('passkeys.register_failed'), status: 400 });
      await addPasskey(deps, actorOf(req, res), result.credential, passkeyName(fieldOf(req, 'name'), req.get('user-agent')));
      res.redirect(303, `${SECTION}?done=added`);
    }),
  );

  router.post(
    `${SECTION}/:id/rename`,
    handle(async (req, res) => {
      await renamePasskey(deps, actorOf(req, res), String(req.params.id), fieldOf(req, 'name'));
      res.redirect(303, `${SECTION}?done=renamed`);
    }),
  );

  router.post(
    `${SECTION}/:id/remove`,
    handle(async (req, res) => {
      // A passkey is a second factor: removing one needs a recent two-factor sign-in (then the person clicks again).
      if (!(await requireRecentSecondFactor(deps, req, res, SECTION, true))) return;
      await removePasskey(deps, actorOf(req, res), String(req.params.id), { recentSecondFactor: true });
      res.redirect(303, `${SECTION}?done=removed`);
    }),
  );
  return router;
}
