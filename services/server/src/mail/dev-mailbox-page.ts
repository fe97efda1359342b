import { Router, type Request } from 'express';
import type { Config } from '../config/env.ts';
import { t } from '../interactions/i18n/index.ts';
import { html } from '../interactions/views/html.ts';
import { layout } from '../interactions/views/layout.ts';
import { sendPage } from '../interactions/views/respond.ts';
import { DEV_MAILBOX_SIZE } from './dev-mailbox.ts';
import type { Mailer } from './mailer.ts';

/**
 * GET /dev/mailbox: the mail a development server kept instead of sending
 * (only the text part: every value is escaped, nothing from a mail becomes
 * markup). Answers 404 whenever mail really goes out, in production, and to
 * anyone but this machine: a server left in development mode on a network
 * must not hand out everyone's codes.
 */
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

/**
 * "This machine" is decided by the socket's peer, never by req.ip: with
 * LATCHKEY_TRUST_PROXY set, req.ip comes from X-Forwarded-For, which a client
 * writes. A request relayed by a proxy (it says whom it forwards) is not
 * local either, even when the proxy itself runs on this machine.
 */
export function fromThisMachine(req: Request): boolean {
  return LOOPBACK.has(req.socket.remoteAddress ?? '') && FORWARDED.every((name) => req.headers[name] === undefined);
}

export function devMailboxRoutes(deps: { config: Config; mailer: Mailer }): Router {
  const router = Router();
  router.get('/dev/mailbox', (req, res) => {
    const mailbox = deps.mailer.mailbox;
    if (!mailbox || deps.config.env === 'production' || !fromThisMachine(req)) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    const messages = mailbox.list();
    const body = html`<p class="lead">${t('page.dev_mailbox.lead', { count: DEV_MAILBOX_SIZE })}</p>
${messages.length === 0 ? html`<p>${t('page.dev_mailbox.empty')}</p>` : ''}
${messages.map(
  (mail) => html`<article class="mail">
<dl>
<dt>${t('page.dev_mailbox.to')}</dt><dd>${mail.to}</dd>
<dt>${t('page.dev_mailbox.subject')}</dt><dd>${mail.subject}</dd>
<dt>${t('page.dev_mailbox.received')}</dt><dd><time datetime="${mail.receivedAt.toISOString()}">${mail.receivedAt.toISOString()}</time></dd>
</dl>
<pre>${mail.text}</pre>
</article>`,
)}`;
    sendPage(res, layout(deps.config.brand, { title: t('page.dev_mailbox.title'), body }));
  });
  return router;
}
