import { readFileSync } from 'node:fs';
import { Router, type Request, type Response } from 'express';
import { t, type MessageId } from '../interactions/i18n/index.ts';
import { html, type Html } from '../interactions/views/html.ts';
import { csrfInput, errorSummary, layout, type FieldErrors } from '../interactions/views/layout.ts';
import { sendPage } from '../interactions/views/respond.ts';
import type { ConsoleDeps } from './deps.ts';

const stylesheet = readFileSync(new URL('./console.css', import.meta.url), 'utf8');

export function consoleAssets(): Router {
  const router = Router();
  router.get('/account/assets/console.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=3600').send(stylesheet);
  });
  return router;
}

export type ConsolePage = {
  /** The section's path (paths.ts). */
  section: string;
  body: Html;
  /** A one-line confirmation of what the last action did (announced). */
  notice?: string;
  errors?: FieldErrors;
  formError?: string;
  status?: number;
  /** Scripts the section needs (our own, e.g. passkey registration; never inline). */
  scripts?: string[];
};

/** A console page: the shared hosted-page shell, the section menu and the sign-out button. */
export function sendConsolePage(deps: ConsoleDeps, req: Request, res: Response, page: ConsolePage): void {
  const current = deps.sections.find((section) => section.path === page.section)!;
  const body = html`<link rel="stylesheet" href="/account/assets/console.css">
<div class="console">
<nav class="console-nav" aria-label="${t('console.nav')}">
<ul>
${deps.sections.map(
  (section) =>
    html`<li><a href="${section.path}"${section.path === page.section ? html` aria-current="page"` : ''}>${t(section.title)}</a></li>`,
)}
</ul>
</nav>
<form method="post" action="/account/logout" class="console-signout">
${csrfInput(deps.csrf.token(req, res))}
<button type="submit" class="secondary">${t('action.signout')}</button>
</form>
${page.notice ? html`<p class="notice" role="status">${page.notice}</p>` : ''}
${errorSummary(page.errors ?? {}, page.formError)}
${page.body}
</div>`;
  sendPage(res, layout(deps.config.brand, { title: t(current.title), body, scripts: page.scripts }), { status: page.status });
}

/** A notice named by `?done=` after a redirect (Post/Redirect/Get); only known ids are shown. */
export function doneNotice(req: Request, allowed: Record<string, MessageId>): string | undefined {
  const done = typeof req.query.done === 'string' ? req.query.done : '';
  const id = Object.hasOwn(allowed, done) ? allowed[done] : undefined;
  return id ? t(id) : undefined;
}

/** A date as people read it, in UTC (the server does not know the reader's zone). */
export function when(value: Date | string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
