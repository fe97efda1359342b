import type { Problem } from '@latchkey/contract';
import { ERRORS, PROBLEM_CONTENT_TYPE, problemType, type ErrorCode } from '@latchkey/contract/constants';
import { RequestValidationError } from '@ts-rest/express';
import type { ErrorRequestHandler, Response } from 'express';
import type { ZodError } from 'zod';
import { HttpError } from '../http/errors.ts';
import type { Logger } from '../http/logger.ts';

export type FieldError = { path: string; message: string };

/**
 * An API error with a catalogue code (packages/contract/src/common/errors.ts).
 * `detail` is shown to the client, so it never holds internal text; 5xx
 * answers a generic detail and only the log gets the cause.
 */
export class ApiProblem extends HttpError {
  readonly problemCode: ErrorCode;
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail?: string, options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(ERRORS[code].status, code, detail ?? ERRORS[code].title, { cause: options.cause });
    this.name = 'ApiProblem';
    this.problemCode = code;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export function problemBody(code: ErrorCode, detail?: string, errors?: FieldError[]): Problem {
  const { status, title } = ERRORS[code];
  return { type: problemType(code), title, status, code, ...(detail ? { detail } : {}), ...(errors?.length ? { errors } : {}) };
}

export function sendProblem(res: Response, problem: ApiProblem): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  const detail = problem.status >= 500 ? 'internal error' : problem.message;
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problemBody(problem.problemCode, detail, problem.errors)));
}

const zodFieldErrors = (where: string, error: ZodError | null): FieldError[] =>
  (error?.issues ?? []).flatMap((issue) => {
    const base = [where, ...issue.path.map(String)].join('.');
    // Unknown fields are named one by one (strict objects: mass assignment is refused, and said so).
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: `${base}.${key}`, message: 'unknown field' }));
    return [{ path: base, message: issue.message }];
  });

type ParserError = Error & { type?: string; status?: number; statusCode?: number };

/**
 * The catalogue code of a client-error status, for errors that name none of
 * their own (an app-wide guard's `invalid_request`, a body parser's status).
 */
const CODE_OF_STATUS: Readonly<Partial<Record<number, ErrorCode>>> = {
  400: 'validation_failed',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  428: 'precondition_required',
  429: 'rate_limited',
};

const isCatalogued = (code: string, status: number): code is ErrorCode => Object.hasOwn(ERRORS, code) && ERRORS[code as ErrorCode].status === status;

/** What a route, ts-rest, a body parser or an app-wide guard threw, as a problem; anything unknown is a logged 500. */
export function toProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof RequestValidationError) {
    const errors = [
      ...zodFieldErrors('params', error.pathParams),
      ...zodFieldErrors('headers', error.headers),
      ...zodFieldErrors('query', error.query),
      ...zodFieldErrors('body', error.body),
    ];
    return new ApiProblem('validation_failed', 'the request is not valid: see errors', { errors });
  }
  const e = error as ParserError;
  if (e?.type === 'entity.too.large') return new ApiProblem('payload_too_large', 'the request body is too large');
  if (e?.type === 'entity.parse.failed') return new ApiProblem('validation_failed', 'the request body is not valid JSON');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new ApiProblem('unsupported_media_type', 'the request body must be UTF-8 JSON');
  const status = error instanceof HttpError ? error.status : (e?.status ?? e?.statusCode);
  // A service's catalogued 5xx (e.g. `unavailable` when the SMS API is down) keeps its code; any other 5xx is internal.
  const catalogued5xx = error instanceof HttpError && typeof status === 'number' && status >= 500 && isCatalogued(error.code, status);
  if (typeof status !== 'number' || status < 400 || (status >= 500 && !catalogued5xx)) return new ApiProblem('internal_error', undefined, { cause: error });
  // Domain services (shared with the CLI) name catalogue codes; other errors are placed by their status.
  const code = error instanceof HttpError && isCatalogued(error.code, status) ? error.code : (CODE_OF_STATUS[status] ?? 'validation_failed');
  const detail = error instanceof HttpError && error.expose ? error.message : undefined;
  const retryAfter = error instanceof HttpError ? error.retryAfterSeconds : undefined;
  return new ApiProblem(code, detail, { cause: error, headers: retryAfter ? { 'Retry-After': String(retryAfter) } : undefined });
}

/** The /api error handler: problem+json, never a stack; 5xx logged with the cause. */
export function apiErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const problem = toProblem(error);
    if (problem.status >= 500) logger.error({ err: problem.cause ?? error, path: req.baseUrl + req.path }, 'api request failed');
    if (res.headersSent) return void res.end();
    sendProblem(res, problem);
  };
}
