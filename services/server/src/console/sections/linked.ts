import { Router, type Request, type Response } from 'express';
import { listIdentities, unlinkIdentity } from '../../account/identities.ts';
import type { SocialUpstream } from '../../config/social.ts';
import { findLinkedIdentity } from '../../db/auth-providers.ts';
import { limitFlowStarts } from '../../interactions/flow-limit.ts';
import { t } from '../../interactions/i18n/index.ts';
import { enrolledFactors } from '../../interactions/pending-login.ts';
import { html } from '../../interactions/views/html.ts';
import { csrfInput } from '../../interactions/views/layout.ts';
import { finishUpstream, startUpstream } from '../../social/flow.ts';
import { linkIdentityIn } from '../../social/link.ts';
import { upstreamsFor } from '../../social/upstreams.ts';
import { upstreamButtons } from '../../social/views.ts';
import { actorOf, formFailure, type FormFailure } from '../actions.ts';
import type { ConsoleDeps } from '../deps.ts';
import { signedIn } from '../guard.ts';
import { requireRecentSecondFactor } from '../step-up.ts';
import { doneNotice, sendConsolePage, when } from '../views.ts';

/**
 * Linked accounts: the upstream identities this account can sign in with;
 * link another (a round trip to the upstream that returns here) or unlink
 * one (never the last way in: account/identities.ts). Both change how the
 * account can be entered, so both want a recent second factor when the
 * account has one. The upstream's address plays no part in linking here:
 * the identity goes to the signed-in account, whoever else uses that address.
 */
export function linkedSection(deps: ConsoleDeps): Router {
  const router = Router();
  const upstreams = upstreamsFor(deps);
  const label = (provider: string) => upstreams.find(provider)?.label ?? provider;

  const render = async (req: Request, res: Response, failure?: FormFailure) => {
    const me = signedIn(res);
    const identities = await listIdentities(deps, me.userId);
    const token = deps.csrf.token(req, res);
    const unlinked = upstreams.list.filter((upstream) => !identities.some((identity) => identity.provider === upstream.id));
    const body = html`<p class="lead">${t('console.linked.lead')}</p>
${identities.length
  ? html`<ul class="items">
${identities.map(
  (identity) => html`<li class="item">
<h2>${label(identity.provider)}</h2>
<dl>
<dt>${t('console.linked.email')}</dt><dd>${identity.email ?? '—'}</dd>
<dt>${t('console.linked.since')}</dt><dd>${when(identity.linked_at)}</dd>
<dt>${t('console.linked.last_used')}</dt><dd>${identity.last_used_at ? when(identity.last_used_at) : t('console.linked.never')}</dd>
</dl>
<form method="post" action="/account/linked/${identity.id}/unlink">
${csrfInput(token)}
<button type="submit" class="secondary">${t('console.linked.unlink')}</button>
</form>
</li>`,
)}
</ul>`
  : html`<p>${t('console.linked.none')}</p>`}
${unlinked.length ? upstreamButtons(unlinked, { action: (upstream) => `/account/linked/link/${upstream.id}`, csrf: token, label: 'link' }) : ''}`;
    sendConsolePage(deps, req, res, {
      section: '/account/linked',
      body,
      notice: doneNotice(req, { linked: 'console.linked.linked', already: 'console.linked.already', unlinked: 'console.linked.unlinked' }),
      formError: failure?.formError,
      errors: failure?.errors,
      status: failure?.status,
    });
  };

  const hasSecondFactor = async (userId: string) => (await enrolledFactors(deps, userId)).length > 0;

  router.get('/account/linked', async (req, res, next) => {
    try {
      await render(req, res);
    } catch (error) {
      next(error);
    }
  });

  router.post('/account/linked/link/:upstream', limitFlowStarts(deps, 'page'));
  router.post('/account/linked/link/:upstream', async (req, res, next) => {
    try {
      const me = signedIn(res);
      const upstream = upstreams.find(String(req.params.upstream));
      if (!upstream) return await render(req, res, { errors: {}, formError: t('social.error.unknown'), status: 404 });
      if (!(await requireRecentSecondFactor(deps, req, res, '/account/linked', await hasSecondFactor(me.userId)))) return;
      if (!(await startUpstream(deps, req, res, upstream, { purpose: 'link', userId: me.userId }))) {
        await render(req, res, { errors: {}, formError: t('social.error.upstream', { provider: upstream.label }), status: 400 });
      }
    } catch (error) {
      next(error);
    }
  });

  router.get('/account/linked/callback/:upstream', async (req, res, next) => {
    try {
      const me = signedIn(res);
      const upstream: SocialUpstream | undefined = upstreams.find(String(req.params.upstream));
      const finished = upstream ? await finishUpstream(deps, req, upstream, (flow) => flow.purpose === 'link' && flow.userId === me.userId) : undefined;
      if (!upstream || !finished?.ok) {
        const problem = finished && !finished.ok ? finished.problem : 'expired';
        const formError =
          problem === 'expired' ? t('console.signin.expired') : problem === 'denied' ? t('social.error.denied', { provider: label(upstream!.id) }) : t('social.error.upstream', { provider: label(upstream!.id) });
        return await render(req, res, { errors: {}, formError, status: 400 });
      }
      const actor = actorOf(req, res);
      const outcome = await deps.db.knex.transaction((trx) =>
        linkIdentityIn(trx, { userId: me.userId, identity: finished.identity, via: 'console', origin: { ip: actor.ip, userAgent: actor.userAgent } }),
      );
      if (outcome === 'taken') {
        const holder = await findLinkedIdentity(deps.db.knex, finished.identity.upstream, finished.identity.subject);
        if (holder?.user_id === me.userId) return res.redirect(303, '/account/linked?done=already');
        return await render(req, res, { errors: {}, formError: t('console.linked.taken', { provider: upstream.label }), status: 409 });
      }
      res.redirect(303, '/account/linked?done=linked');
    } catch (error) {
      next(error);
    }
  });

  router.post('/account/linked/:id/unlink', async (req, res, next) => {
    try {
      const me = signedIn(res);
      if (!(await requireRecentSecondFactor(deps, req, res, '/account/linked', await hasSecondFactor(me.userId)))) return;
      // The guard above saw a recent second factor (or the account has none).
      await unlinkIdentity(deps, actorOf(req, res), String(req.params.id), { recentSecondFactor: true });
      res.redirect(303, '/account/linked?done=unlinked');
    } catch (error) {
      try {
        await render(req, res, formFailure(error, []));
      } catch (inner) {
        next(inner);
      }
    }
  });

  return router;
}
