import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.ts';

/** oidc-provider reads at most 56 KiB of a body; say so plainly (413) before it answers a vague 400. */
export const BODY_LIMIT_BYTES = 56 * 1024;

/** Whether the request announces a body over the limit. */
export function bodyTooLarge(req: IncomingMessage): boolean {
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > BODY_LIMIT_BYTES;
}

export const bodyLimit: RequestHandler = (req, res, next) => {
  if (bodyTooLarge(req)) {
    // The rest of the body is not read: close the connection after answering.
    res.set('Connection', 'close');
    // The error handlers answer a page on hosted pages, problem+json under /api, OAuth JSON elsewhere.
    return next(new HttpError(413, 'invalid_request', `request body is larger than ${BODY_LIMIT_BYTES / 1024} KiB`));
  }
  next();
};
