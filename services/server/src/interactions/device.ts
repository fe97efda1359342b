import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Client, KoaContextWithOIDC } from 'oidc-provider';
import { hasSavedSession } from '../oidc/saved-session.ts';
import { deviceCodeLimiter, type DeviceCodeLimiter } from './device-limit.ts';
import type { InteractionDeps } from './deps.ts';
import { t } from './i18n/index.ts';
import { html, type Html } from './views/html.ts';
import { errorSummary, field, layout, type Brand } from './views/layout.ts';
import { logoOrigin, sendProviderPage, xsrfFrom } from './views/provider-page.ts';
import { sendPage } from './views/respond.ts';

/**
 * The device flow pages (RFC 8628) at /device. oidc-provider runs the flow
 * and calls these sources to render; each keeps oidc-provider's xsrf field.
 *
 *   enter code → sign in if needed → Allow / Deny (the consent page, showing
 *   the client, its scopes and the code) → connected.
 *
 * The person decides once, on the consent page after sign-in (consent.ts);
 * oidc/existing-grant.ts makes sure a device always gets that page. Typing
 * the code is the request to connect, so the entry form confirms it at once.
 * Only a link that carries the code (verification_uri_complete) stops at a
 * check page first: the person did not type that code, so they compare it
 * with their device before going on (RFC 8628 section 5.4).
 */
export type DevicePagesDeps = { brand: Brand; limiter: DeviceCodeLimiter };

type PageOptions = { title: string; body: Html; status?: number };

function page(ctx: KoaContextWithOIDC, brand: Brand, options: PageOptions): void {
  sendProviderPage(ctx, layout(brand, { title: options.title, body: options.body }), { status: options.status, imgSrc: logoOrigin(brand) });
}

/** What went wrong with a submitted code, in words, and the status to answer with. */
function describeError(out: { error?: string; error_description?: string } | undefined, err: Error | undefined): { message?: string; notice?: string; status?: number } {
  if (!err) return {};
  switch (err.name) {
    case 'NoCodeError':
      return { message: t('error.user_code_required'), status: 400 };
    case 'NotFoundError':
      return { message: t('error.user_code_invalid'), status: 400 };
    case 'ExpiredError':
      return { message: t('error.user_code_expired'), status: 400 };
    case 'AlreadyUsedError':
      return { message: t('error.user_code_used'), status: 400 };
    case 'AbortedError':
      return { notice: t('device.denied') };
  }
  if (out?.error === 'invalid_request' && /xsrf|form details/.test(out.error_description ?? '')) return { message: t('error.csrf') };
  return { message: t('error.generic') };
}

export function deviceFlowPages({ brand, limiter }: DevicePagesDeps) {
  return {
    async userCodeInputSource(ctx: KoaContextWithOIDC, form: string, out?: { error?: string; error_description?: string }, err?: Error): Promise<void> {
      const problem = describeError(out, err);
      if (err?.name === 'NotFoundError') await limiter.fail(ctx.req);
      const typed = (err as { userCode?: unknown } | undefined)?.userCode;
      const body = html`${problem.message ? errorSummary({ user_code: problem.message }) : ''}
${problem.notice ? html`<p class="notice" role="status">${problem.notice}</p>` : ''}
<p class="lead">${t('device.lead')}</p>
<form method="post" action="${ctx.oidc.urlFor('code_verification')}" novalidate>
<input type="hidden" name="xsrf" value="${xsrfFrom(form)}">
<input type="hidden" name="confirm" value="yes">
${field({
  name: 'user_code',
  label: t('field.user_code'),
  hint: t('device.user_code_hint'),
  autocomplete: 'one-time-code',
  inputmode: 'text',
  value: typeof typed === 'string' ? typed : undefined,
  error: problem.message,
  autofocus: true,
})}
<button type="submit" class="primary">${t('action.continue')}</button>
</form>`;
      // Status stays oidc-provider's (4xx for a bad form) unless the code itself was the problem.
      page(ctx, brand, { title: t('page.device.title'), body, status: problem.status });
    },

    async userCodeConfirmSource(ctx: KoaContextWithOIDC, form: string, client: Client, _deviceInfo: unknown, userCode: string): Promise<void> {
      const body = html`<p class="lead">${t('device.check_lead', { client: client.clientName ?? client.clientId })}</p>
<p>${t('device.check_code')}</p>
<p class="user-code">${userCode}</p>
<form method="post" action="${ctx.oidc.urlFor('code_verification')}">
<input type="hidden" name="xsrf" value="${xsrfFrom(form)}">
<input type="hidden" name="user_code" value="${userCode}">
<div class="actions">
<button type="submit" name="abort" value="yes" class="secondary">${t('action.cancel')}</button>
<button type="submit" name="confirm" value="yes" class="primary">${t('action.continue')}</button>
</div>
</form>`;
      page(ctx, brand, { title: t('page.device.check_title'), body });
    },

    async successSource(ctx: KoaContextWithOIDC): Promise<void> {
      const client = ctx.oidc.client;
      const body = html`<p class="notice" role="status">${t('device.success', { client: client?.clientName ?? client?.clientId ?? '' })}</p>`;
      page(ctx, brand, { title: t('page.device.success_title'), body });
    },
  };
}

/** A stored user code (normalised: capitals, no dashes) the way the device shows it. */
export function formatUserCode(normalized: string): string {
  return normalized.match(/.{1,4}/g)?.join('-') ?? normalized;
}

/**
 * Reserves a code lookup before oidc-provider does it, or refuses code entry
 * while the IP (or every IP together) has sent too many wrong codes. (The
 * provider parses the body itself, so nothing here reads it.)
 */
export function deviceRoutes(deps: InteractionDeps): Router {
  const limiter = deviceCodeLimiter(deps.limiter);
  const router = Router();
  // A code sent without the session its form came from (expired, or never
  // opened here) cannot be checked, nor a device sign-in resumed without
  // its session: say so with a way back, before the limiter.
  router.get('/device/:uid', requireSession);
  router.post('/device', requireSession);
  async function requireSession(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      if (await hasSavedSession(deps.providers.current, req, res)) return next();
      const body = html`${errorSummary({}, t('error.csrf'))}
<p><a href="/device">${t('device.try_again')}</a></p>`;
      sendPage(res, layout(deps.config.brand, { title: t('page.device.title'), body }), { status: 400, imgSrc: logoOrigin(deps.config.brand) });
    } catch (error) {
      next(error);
    }
  }
  router.post('/device', async (req, res, next) => {
    try {
      const wait = await limiter.begin(req, res, req.ip);
      if (!wait) return next();
      res.set('Retry-After', String(wait));
      const brand = deps.config.brand;
      const body = html`${errorSummary({}, t('error.rate_limited', { seconds: wait }))}
<p><a href="/device">${t('device.try_again')}</a></p>`;
      sendPage(res, layout(brand, { title: t('page.device.title'), body }), { status: 429, imgSrc: logoOrigin(brand) });
    } catch (error) {
      next(error);
    }
  });
  return router;
}
