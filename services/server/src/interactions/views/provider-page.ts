import type { KoaContextWithOIDC } from 'oidc-provider';
import { pageHeaders } from '../../http/security-headers.ts';
import type { Html } from './html.ts';
import type { Brand } from './layout.ts';

/** The origin of an https:// logo, for the page's img-src (a path logo is already 'self'). */
export function logoOrigin(brand: Brand): string | undefined {
  return brand.logoUrl?.startsWith('https://') ? new URL(brand.logoUrl).origin : undefined;
}

/**
 * Pages oidc-provider renders itself (device flow, logout) come through its
 * Koa context rather than Express; they get the same headers as sendPage in
 * respond.ts.
 */
export function sendProviderPage(ctx: KoaContextWithOIDC, page: Html, options: { status?: number; imgSrc?: string } = {}): void {
  ctx.set(pageHeaders(options));
  ctx.type = 'html';
  ctx.body = page.value;
  // Set after the body: Koa resets an unset status to 200 when a body is assigned.
  if (options.status) ctx.status = options.status;
}

/**
 * The anti-CSRF token oidc-provider puts in the form it hands a page source
 * (a hidden `xsrf` input, checked against the session on POST). Our forms
 * carry the same value under the same name; the form HTML is the documented
 * contract, so the value is read from it rather than from session internals.
 */
export function xsrfFrom(form: string): string {
  const match = /name="xsrf" value="([^"]*)"/.exec(form);
  if (!match?.[1]) throw new Error('oidc-provider form without an xsrf field');
  return match[1];
}
