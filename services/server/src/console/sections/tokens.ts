import { Router, type Request, type Response } from 'express';
import { API_SCOPES } from '@latchkey/contract/constants';
import { changePersonalToken, createPersonalToken, listPersonalTokens, MAX_TOKEN_LIFETIME_DAYS } from '../../api-tokens/manage.ts';
import { ACCOUNT_SCOPE, scopesOwnerHolds } from '../../api-tokens/scopes.ts';
import { t } from '../../interactions/i18n/index.ts';
import { html } from '../../interactions/views/html.ts';
import { csrfInput, field, type FieldErrors } from '../../interactions/views/layout.ts';
import type { ConsoleDeps } from '../deps.ts';
import { fieldOf } from '../actions.ts';
import { signedIn } from '../guard.ts';
import { doneNotice, sendConsolePage, when } from '../views.ts';

const DEFAULT_DAYS = 90;

// A new token is shown once, on the page the creation redirects to: kept
// for that one read in the store (never in a URL), under the console session.
const shownOnceKey = (consoleSessionId: string) => `console:new-token:${consoleSessionId}`;
const SHOWN_ONCE_TTL_SECONDS = 5 * 60;

const description = (scope: string) => (API_SCOPES as Record<string, string | undefined>)[scope] ?? scope;

/** Personal API tokens (api-tokens/manage.ts): create (shown once), list, revoke; never more scopes than the owner holds. */
export function tokensSection(deps: ConsoleDeps): Router {
  const router = Router();
  const tokenDeps = { knex: deps.db.knex, keyring: deps.keyring };

  const render = async (
    req: Request,
    res: Response,
    options: { values?: { name: string; days: string; scopes: string[] }; errors?: FieldErrors; formError?: string; status?: number; secret?: string } = {},
  ) => {
    const me = signedIn(res);
    const held = [...scopesOwnerHolds(me.user)].sort((a, b) => (a === ACCOUNT_SCOPE ? -1 : b === ACCOUNT_SCOPE ? 1 : a < b ? -1 : 1));
    const chosen = new Set(options.values?.scopes ?? [ACCOUNT_SCOPE]);
    const { items } = await listPersonalTokens(deps.db, { userId: me.userId, order: 'desc', limit: 100 });
    const csrf = deps.csrf.token(req, res);
    const body = html`<p class="lead">${t('console.tokens.lead')}</p>
${options.secret
  ? html`<section aria-labelledby="new-token"><h2 id="new-token">${t('console.tokens.created')}</h2><p class="secret" id="new-token-value">${options.secret}</p></section>`
  : ''}
<section aria-labelledby="token-list">
<h2 id="token-list">${t('console.tokens.title')}</h2>
${items.length
  ? html`<ul class="items">
${items.map(
  (token) => html`<li class="item">
<h3>${token.name} <span class="badge">${token.status}</span></h3>
<dl>
<dt>${t('console.tokens.scopes')}</dt><dd>${token.scopes.join(' ')}</dd>
<dt>${t('console.tokens.expires')}</dt><dd>${when(token.expires_at)}</dd>
<dt>${t('console.tokens.last_used')}</dt><dd>${token.last_used_at ? `${when(token.last_used_at)}${token.last_used_ip ? ` (${token.last_used_ip})` : ''}` : t('console.tokens.never')}</dd>
</dl>
${token.status === 'revoked' || token.status === 'expired'
  ? ''
  : html`<form method="post" action="/account/tokens/revoke">
${csrfInput(csrf)}
<input type="hidden" name="token" value="${token.id}">
<button type="submit" class="secondary" aria-label="${t('console.tokens.revoke')}: ${token.name}">${t('console.tokens.revoke')}</button>
</form>`}
</li>`,
)}
</ul>`
  : html`<p>${t('console.tokens.none')}</p>`}
</section>
<section aria-labelledby="token-create">
<h2 id="token-create">${t('console.tokens.create')}</h2>
<form method="post" action="/account/tokens" novalidate>
${csrfInput(csrf)}
${field({ name: 'name', label: t('console.tokens.name'), value: options.values?.name, autocomplete: 'off', error: options.errors?.name })}
${field({ name: 'expires_in_days', label: t('console.tokens.expires_in'), type: 'number', value: options.values?.days ?? String(DEFAULT_DAYS), inputmode: 'numeric', error: options.errors?.expires_in_days, hint: `1–${MAX_TOKEN_LIFETIME_DAYS}` })}
<fieldset class="checks${options.errors?.scopes ? ' has-error' : ''}" id="scopes"${options.errors?.scopes ? html` aria-describedby="scopes-error"` : ''}>
<legend>${t('console.tokens.scopes')}</legend>
${options.errors?.scopes ? html`<p class="field-error" id="scopes-error">${options.errors.scopes}</p>` : ''}
${held.map(
  (scope) => html`<label><input type="checkbox" name="scopes" value="${scope}"${chosen.has(scope) ? html` checked` : ''}> <span><code>${scope}</code> — ${description(scope)}</span></label>`,
)}
</fieldset>
<button type="submit" class="primary">${t('console.tokens.create')}</button>
</form>
</section>`;
    sendConsolePage(deps, req, res, {
      section: '/account/tokens',
      body,
      notice: options.secret ? undefined : doneNotice(req, { revoked: 'console.tokens.revoked' }),
      errors: options.errors,
      formError: options.formError,
      status: options.status,
    });
  };

  router.get('/account/tokens', async (req, res, next) => {
    try {
      const key = shownOnceKey(signedIn(res).id);
      const secret = await deps.store.get(key);
      if (secret) await deps.store.del(key);
      await render(req, res, { secret });
    } catch (error) {
      next(error);
    }
  });

  router.post('/account/tokens', async (req, res, next) => {
    const raw = req.body?.scopes as unknown;
    const scopes = (Array.isArray(raw) ? raw : [raw]).filter((scope): scope is string => typeof scope === 'string');
    const values = { name: fieldOf(req, 'name'), days: fieldOf(req, 'expires_in_days').trim(), scopes };
    try {
      const me = signedIn(res);
      const days = /^\d{1,4}$/.test(values.days) ? Number(values.days) : Number.NaN;
      const result = await createPersonalToken(
        tokenDeps,
        { userId: me.userId, name: values.name, scopes, expiresInDays: days },
        { actorUserId: me.userId, ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 512) },
      );
      if (result.ok) {
        await deps.store.set(shownOnceKey(me.id), result.token, SHOWN_ONCE_TTL_SECONDS);
        return res.redirect(303, '/account/tokens');
      }
      // The service's message names the field at fault.
      const fieldName = /^expires/.test(result.detail) ? 'expires_in_days' : /scope|hold/.test(result.detail) ? 'scopes' : 'name';
      await render(req, res, { values, errors: { [fieldName]: result.detail }, status: result.problem === 'conflict' ? 409 : result.problem === 'not_found' ? 404 : 400 });
    } catch (error) {
      next(error);
    }
  });

  router.post('/account/tokens/revoke', async (req, res, next) => {
    try {
      const me = signedIn(res);
      const id = fieldOf(req, 'token');
      // Only the owner's own tokens (the service filters by owner); an unknown id changes nothing.
      if (/^[0-9a-f-]{36}$/i.test(id)) {
        await changePersonalToken(deps.db, id, 'revoke', { actorUserId: me.userId, ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 512) }, me.userId);
      }
      res.redirect(303, '/account/tokens?done=revoked');
    } catch (error) {
      next(error);
    }
  });
  return router;
}
