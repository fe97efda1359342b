import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/**
 * The one Content-Security-Policy of every page: our own scripts, styles and
 * images only, nothing inline, never framed. (No form-action: Chrome applies
 * it to the redirect chain after a POST, which ends at the client's redirect
 * URI on another origin.)
 */
export function contentSecurityPolicy(options: { imgSrc?: string } = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self'${options.imgSrc ? ` ${options.imgSrc}` : ''}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const pageHeaderSets = new Map<string, Readonly<Record<string, string>>>();

/** Headers of a hosted page: the CSP above, no referrer, no caching of personal pages. */
export function pageHeaders(options: { imgSrc?: string } = {}): Readonly<Record<string, string>> {
  // One set per logo origin (there is one per server), built once: every page asks for it.
  const imgSrc = options.imgSrc ?? '';
  let headers = pageHeaderSets.get(imgSrc);
  if (!headers) {
    headers = Object.freeze({
      'Content-Security-Policy': contentSecurityPolicy(options),
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    });
    if (pageHeaderSets.size < 16) pageHeaderSets.set(imgSrc, headers);
  }
  return headers;
}

/**
 * Headers every response carries. The default CSP also covers pages
 * oidc-provider renders itself (its form_post page adds its inline script's
 * hash to this header), so nothing goes out without one. Over an https
 * issuer, HSTS tells browsers never to try plain http again (not sent for an
 * http issuer: it would lock a development host out of http).
 */
export function securityHeaders(options: { https: boolean }): RequestHandler {
  const set = securityHeaderSetter(options);
  return (_req, res, next) => {
    set(res);
    next();
  };
}

/** Sets the headers above on a response (the provider lane's requests never pass the middleware). */
export function securityHeaderSetter(options: { https: boolean }): (res: ServerResponse) => void {
  // Built once; every request sets the same values.
  const headers: Array<[string, string]> = [
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Content-Security-Policy', contentSecurityPolicy()],
  ];
  if (options.https) headers.push(['Strict-Transport-Security', 'max-age=31536000']);
  return (res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
  };
}
