import { Router, type Request, type Response } from 'express';
import { formGuard } from '../http/input-guard.ts';
import type { InteractionDeps } from '../interactions/deps.ts';
import { limitFlowStarts } from '../interactions/flow-limit.ts';
import { t } from '../interactions/i18n/index.ts';
import { duringLogin } from '../interactions/routes.ts';
import { finishUpstream, startUpstream, type Finished } from './flow.ts';
import { signInWithIdentity } from './sign-in.ts';
import { peekFlow, saveHandoff } from './state.ts';
import { upstreamsFor } from './upstreams.ts';
import { sendSocialError } from './views.ts';

/**
 * Social sign-in's hosted routes:
 *   POST /interaction/:uid/social/:upstream           start (CSRF-checked form): a 303 to the upstream
 *   GET  /social/:upstream/callback                   the redirect URI the upstream knows: a 303 to
 *   POST /social/:upstream/callback                   (Apple's form_post, fields handed over by the store)
 *   GET  /interaction/:uid/social/:upstream/callback  where this browser's interaction cookie binds the flow;
 *                                                     console links finish at /account/linked/callback/:upstream
 */
export function socialRoutes(deps: InteractionDeps): Router {
  const router = Router();
  const upstreams = upstreamsFor(deps);
  const expired = (res: Response) => sendSocialError(deps.config, res, { message: t('social.error.expired'), status: 400 });

  router.post('/interaction/:uid/social/:upstream', limitFlowStarts(deps, 'page'));
  router.post(
    '/interaction/:uid/social/:upstream',
    duringLogin(deps, async (req, res, interaction) => {
      const upstream = upstreams.find(String(req.params.upstream));
      if (!upstream) return sendSocialError(deps.config, res, { message: t('social.error.unknown'), status: 404, back: { href: `/interaction/${interaction.uid}`, label: t('social.back') } });
      if (!(await startUpstream(deps, req, res, upstream, { purpose: 'sign_in', uid: interaction.uid }))) {
        sendSocialError(deps.config, res, { message: t('social.error.upstream', { provider: upstream.label }), status: 400, back: { href: `/interaction/${interaction.uid}`, label: t('social.back') } });
      }
    }),
  );

  /** Where a flow finishes: its interaction's path (sign-in) or the console (linking). */
  const finishPath = (flow: { purpose: 'sign_in'; uid: string } | { purpose: 'link' }, upstream: string) =>
    flow.purpose === 'sign_in' ? `/interaction/${flow.uid}/social/${upstream}/callback` : `/account/linked/callback/${upstream}`;

  router.get('/social/:upstream/callback', async (req, res, next) => {
    try {
      const upstream = upstreams.find(String(req.params.upstream));
      const flow = upstream && upstream.kind !== 'apple' ? await peekFlow(deps.store, req.query.state) : undefined;
      if (!upstream || !flow || flow.upstream !== upstream.id) return expired(res);
      const at = req.originalUrl.indexOf('?');
      const query = at === -1 ? '' : req.originalUrl.slice(at);
      res.redirect(303, `${finishPath(flow, upstream.id)}${query}`);
    } catch (error) {
      next(error);
    }
  });

  // Apple's answer is a cross-site POST, which carries no SameSite=Lax cookie;
  // its fields wait in the store while a same-origin GET brings the cookies back.
  router.post('/social/:upstream/callback', formGuard, async (req: Request, res, next) => {
    try {
      const upstream = upstreams.find(String(req.params.upstream));
      const body = (req.body ?? {}) as Record<string, unknown>;
      const flow = upstream?.kind === 'apple' ? await peekFlow(deps.store, body.state) : undefined;
      if (!upstream || !flow || flow.upstream !== upstream.id) return expired(res);
      const fields = Object.fromEntries(['state', 'code', 'error', 'user'].filter((key) => typeof body[key] === 'string').map((key) => [key, String(body[key]).slice(0, 4096)]));
      const handle = await saveHandoff(deps.store, fields);
      res.redirect(303, `${finishPath(flow, upstream.id)}?handoff=${handle}`);
    } catch (error) {
      next(error);
    }
  });

  router.get(
    '/interaction/:uid/social/:upstream/callback',
    duringLogin(deps, async (req, res, interaction) => {
      const upstream = upstreams.find(String(req.params.upstream));
      if (!upstream) return expired(res);
      const finished = await finishUpstream(deps, req, upstream, (flow) => flow.purpose === 'sign_in' && flow.uid === interaction.uid);
      if (!finished.ok) return sendFailure(res, finished, upstream.label, `/interaction/${interaction.uid}`);
      await signInWithIdentity(deps, req, res, interaction, upstream, finished.identity);
    }),
  );

  function sendFailure(res: Response, finished: Extract<Finished, { ok: false }>, provider: string, back: string): void {
    if (finished.problem === 'expired') return expired(res);
    const message = finished.problem === 'denied' ? t('social.error.denied', { provider }) : t('social.error.upstream', { provider });
    sendSocialError(deps.config, res, { message, status: 400, back: { href: back, label: t('social.back') } });
  }

  return router;
}
