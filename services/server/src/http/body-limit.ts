import type { RequestHandler } from 'express';

/** oidc-provider reads at most 56 KiB of a body; say so plainly (413) before it answers a vague 400. */
export const BODY_LIMIT_BYTES = 56 * 1024;

export const bodyLimit: RequestHandler = (req, res, next) => {
  const length = Number(req.headers['content-length']);
  if (Number.isFinite(length) && length > BODY_LIMIT_BYTES) {
    res.status(413).set('Connection', 'close').json({
      error: 'invalid_request',
      error_description: `request body is larger than ${BODY_LIMIT_BYTES / 1024} KiB`,
    });
    return;
  }
  next();
};
