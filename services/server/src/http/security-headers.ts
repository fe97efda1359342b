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

/** Headers of a hosted page: the CSP above, no referrer, no caching of personal pages. */
export function pageHeaders(options: { imgSrc?: string } = {}): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
  };
}

/**
 * Headers every response carries. The default CSP also covers pages
 * oidc-provider renders itself (its form_post page adds its inline script's
 * hash to this header), so nothing goes out without one. Over an https
 * issuer, HSTS tells browsers never to try plain http again (not sent for an
 * http issuer: it would lock a development host out of http).
 */
export function securityHeaders(options: { https: boolean }): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Content-Security-Policy', contentSecurityPolicy());
    if (options.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    next();
  };
}
