import { Router } from 'express';
import type { Config } from '../config/env.ts';
import { t } from '../interactions/i18n/index.ts';
import { html } from '../interactions/views/html.ts';
import { layout } from '../interactions/views/layout.ts';
import { sendPage } from '../interactions/views/respond.ts';
import { fromThisMachine } from '../mail/dev-mailbox-page.ts';
import { DEV_OUTBOX_SIZE, type SmsSender } from './sms.ts';

/**
 * GET /dev/sms: the texts a development server kept instead of sending.
 * The dev mailbox's protections: 404 whenever texts really go out, in
 * production, and to anyone but this machine (by socket peer, never by a
 * forwarded header).
 */
export function devOutboxRoutes(deps: { config: Config; sms: SmsSender | undefined }): Router {
  const router = Router();
  router.get('/dev/sms', (req, res) => {
    const outbox = deps.sms?.outbox;
    if (!outbox || deps.config.env === 'production' || !fromThisMachine(req)) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    const texts = outbox.list();
    const body = html`<p class="lead">${t('page.dev_sms.lead', { count: DEV_OUTBOX_SIZE })}</p>
${texts.length === 0 ? html`<p>${t('page.dev_sms.empty')}</p>` : ''}
${texts.map(
  (sms) => html`<article class="mail">
<dl>
<dt>${t('page.dev_sms.to')}</dt><dd>${sms.to}</dd>
<dt>${t('page.dev_sms.sent')}</dt><dd><time datetime="${sms.sentAt.toISOString()}">${sms.sentAt.toISOString()}</time></dd>
</dl>
<pre>${sms.body}</pre>
</article>`,
)}`;
    sendPage(res, layout(deps.config.brand, { title: t('page.dev_sms.title'), body }));
  });
  return router;
}
