import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from './logger.ts';

/**
 * An error with an HTTP status. `expose` says whether `message` may be shown
 * to the client; when false the client sees a generic message and only the
 * log gets the detail.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly expose: boolean;
  readonly code: string;

  constructor(status: number, code: string, message: string, options: { expose?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
  }
}

type BodyParserError = Error & { type?: string; status?: number; expose?: boolean };

/** Maps what body parsers and our code throw to an OAuth-style JSON body; never a stack trace. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const e = error as BodyParserError;
  if (e?.type === 'entity.too.large') return new HttpError(413, 'invalid_request', 'request body is too large');
  if (e?.type === 'entity.parse.failed') return new HttpError(400, 'invalid_request', 'request body is not valid JSON');
  if (e?.type && typeof e.status === 'number' && e.status < 500) {
    return new HttpError(e.status, 'invalid_request', 'request body could not be read');
  }
  return new HttpError(500, 'server_error', 'internal server error', { expose: false, cause: error });
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const httpError = toHttpError(error);
    if (httpError.status >= 500) logger.error({ err: httpError.cause ?? httpError, path: req.path }, 'request failed');
    if (res.headersSent) return void res.end();
    res.status(httpError.status).json({
      error: httpError.code,
      error_description: httpError.expose ? httpError.message : 'internal server error',
    });
  };
}

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'not_found', error_description: 'no such endpoint' });
};
