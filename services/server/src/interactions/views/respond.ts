import type { Response } from 'express';
import { pageHeaders } from '../../http/security-headers.ts';
import type { Html } from './html.ts';

/**
 * Sends a hosted page with the headers every page needs (strict CSP, no
 * framing, no caching). The CSP admits the operator's logo origin, which
 * app.ts puts in `res.locals.logoOrigin`. Written out directly rather than
 * through res.send: its ETag (a SHA-1 of every page) has no use on a page
 * no cache may keep.
 */
export function sendPage(res: Response, page: Html, options: { status?: number; imgSrc?: string } = {}): void {
  const imgSrc = options.imgSrc ?? (res.locals.logoOrigin as string | undefined);
  const body = Buffer.from(page.value);
  res.status(options.status ?? 200).set(pageHeaders({ imgSrc })).type('html');
  res.setHeader('Content-Length', body.length);
  // Node leaves the body out of an answer to HEAD.
  res.end(body);
}
