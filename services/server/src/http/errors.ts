import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../db/unavailable.ts';
import { t } from '../interactions/i18n/index.ts';
import { html } from '../interactions/views/html.ts';
import { layout, type Brand } from '../interactions/views/layout.ts';
import { sendPage } from '../interactions/views/respond.ts';
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
  /** A limit's wait (429), answered as Retry-After. */
  readonly retryAfterSeconds?: number;

  constructor(status: number, code: string, message: string, options: { expose?: boolean; cause?: unknown; retryAfterSeconds?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

type BodyParserError = Error & { type?: string; status?: number; statusCode?: number; expose?: boolean };

/** Maps what body parsers and our code throw to an OAuth-style JSON body; never a stack trace. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (isDatabaseUnavailable(error)) {
    return new HttpError(503, 'temporarily_unavailable', 'the service is temporarily unavailable; try again shortly', {
      cause: error,
      expose: true,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }
  const e = error as BodyParserError;
  if (e?.type === 'entity.too.large') return new HttpError(413, 'invalid_request', 'request body is too large');
  if (e?.type === 'entity.parse.failed') return new HttpError(400, 'invalid_request', 'request body is not valid JSON');
  if (e?.type && typeof e.status === 'number' && e.status < 500) {
    return new HttpError(e.status, 'invalid_request', 'request body could not be read');
  }
  // Express's own client errors, e.g. a path parameter that does not percent-decode.
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'invalid_request', e instanceof URIError ? 'the URL has malformed percent-encoding' : 'bad request');
  }
  return new HttpError(500, 'server_error', 'internal server error', { expose: false, cause: error });
}

// Pages people open in a browser: their errors are pages too. OIDC endpoints
// (/token, /device/auth, /me …) keep OAuth's JSON errors.
const HOSTED_PAGE = /^\/(?:interaction|signup|account|social|dev\/mailbox|session\/end|device(?!\/auth(?:\/|$)))(?:\/|$)/;

/** A hosted page, or the authorization endpoint opened by a browser (oidc-provider renders its errors as pages too). */
function wantsPage(req: Request): boolean {
  if (HOSTED_PAGE.test(req.path)) return true;
  return /^\/auth(?:\/|$)/.test(req.path) && req.accepts(['json', 'html']) === 'html';
}

function sendErrorPage(res: Response, brand: Brand, error: HttpError): void {
  const message = error.expose ? error.message : t('page.error.lead');
  const body = html`<p>${message}</p>
<p class="hint">${t('page.error.code', { code: error.code })}</p>`;
  sendPage(res, layout(brand, { title: t('page.error.title'), body }), { status: error.status });
}

export function errorHandler(logger: Logger, brand: Brand): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const httpError = reportError(logger, error, req.path);
    if (res.headersSent) return void res.end();
    if (!wantsPage(req)) return sendJsonError(res, httpError);
    if (httpError.retryAfterSeconds) res.set('Retry-After', String(httpError.retryAfterSeconds));
    sendErrorPage(res, brand, httpError);
  };
}

/** The error a request failed with, as answered; a server-side failure is logged with its cause. */
export function reportError(logger: Logger, error: unknown, path: string): HttpError {
  const httpError = toHttpError(error);
  if (httpError.status >= 500) logger.error({ err: httpError.cause ?? httpError, path }, 'request failed');
  return httpError;
}

/** OAuth's JSON error answer (RFC 6749 §5.2 shape), as the machine endpoints give it. */
export function sendJsonError(res: ServerResponse, httpError: HttpError): void {
  const body = JSON.stringify({ error: httpError.code, error_description: httpError.expose ? httpError.message : 'internal server error' });
  if (httpError.retryAfterSeconds) res.setHeader('Retry-After', String(httpError.retryAfterSeconds));
  res.writeHead(httpError.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ error: 'not_found', error_description: 'no such endpoint' });
};
