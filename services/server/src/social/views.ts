import type { Response } from 'express';
import type { Config } from '../config/env.ts';
import type { SocialUpstream } from '../config/social.ts';
import { t } from '../interactions/i18n/index.ts';
import { html, type Html } from '../interactions/views/html.ts';
import { csrfInput, layout } from '../interactions/views/layout.ts';
import { sendPage } from '../interactions/views/respond.ts';

/** One "Continue with …" button per upstream, each posting (with the CSRF token) to its start route. */
export function upstreamButtons(upstreams: readonly SocialUpstream[], o: { action: (upstream: SocialUpstream) => string; csrf: string; label?: 'continue' | 'link' }): Html {
  return html`<form method="post" action="${o.action(upstreams[0]!)}" class="social-buttons">
${csrfInput(o.csrf)}
${upstreams.map(
  (upstream) =>
    html`<button type="submit" class="secondary social social-${upstream.kind}" formaction="${o.action(upstream)}" formnovalidate>${
      o.label === 'link' ? t('console.linked.link', { provider: upstream.label }) : t('social.continue', { provider: upstream.label })
    }</button>`,
)}
</form>`;
}

/** An upstream round trip that could not finish: a page with a way back, never a 500. */
export function sendSocialError(config: Config, res: Response, o: { message: string; status: number; back?: { href: string; label: string } }): void {
  const body = html`<p>${o.message}</p>
${o.back ? html`<p class="links"><a href="${o.back.href}">${o.back.label}</a></p>` : ''}`;
  sendPage(res, layout(config.brand, { title: t('page.error.title'), body }), { status: o.status });
}
