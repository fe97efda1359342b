import type { RequestHandler } from 'express';
import { setRetryAfter, type Limiter } from '../ratelimit/index.ts';
import { t } from './i18n/index.ts';
import { html } from './views/html.ts';
import { layout, type Brand } from './views/layout.ts';
import { sendPage } from './views/respond.ts';

/**
 * The 'flow-start' limit, per client IP, in front of every route that starts
 * a passkey ceremony (a challenge row) or a social sign-in (a state record):
 * one browser starts a handful, a script starting millions fills tables.
 * A refused request gets 429 with Retry-After: `json` for the routes the
 * page's script calls (passkey options), a page for a form post.
 */
export function limitFlowStarts(deps: { limiter: Limiter; config: { brand: Brand } }, answer: 'json' | 'page'): RequestHandler {
  return async (req, res, next) => {
    try {
      const verdict = await deps.limiter.consume('flow-start', { ip: req.ip });
      if (verdict.allowed) return next();
      setRetryAfter(res, verdict);
      const message = t('error.rate_limited', { seconds: verdict.retryAfterSeconds });
      if (answer === 'json') {
        res.status(429).set('Cache-Control', 'no-store').json({ error: 'rate_limited', message });
        return;
      }
      sendPage(res, layout(deps.config.brand, { title: t('page.error.title'), body: html`<p>${message}</p>` }), { status: 429 });
    } catch (error) {
      next(error);
    }
  };
}
