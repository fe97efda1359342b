/**
 * The error catalogue: every problem the API answers carries one of these
 * stable codes. Clients branch on `code`, never on `title` or `detail`.
 * docs/api-errors.md is generated from this list (`pnpm openapi`).
 */
export const ERRORS = {
  validation_failed: { status: 400, title: 'Validation failed', meaning: 'A path parameter, query parameter, header or body field is missing, malformed or unknown; `errors[]` names each one.' },
  invalid_cursor: { status: 400, title: 'Invalid cursor', meaning: 'The `cursor` was altered, forged, expired with a secret rotation, or sent with other filters or sort than the page it came from.' },
  unauthorized: { status: 401, title: 'Unauthorized', meaning: 'No credentials, or the token is malformed, expired, revoked, for another audience, or its account is blocked, deleted or locked (`WWW-Authenticate` says which: `invalid_token`).' },
  insufficient_scope: { status: 403, title: 'Insufficient scope', meaning: 'The token is valid but lacks a scope the route needs (`WWW-Authenticate` names it).' },
  forbidden: { status: 403, title: 'Forbidden', meaning: 'The caller may not do this to this resource, whatever its scopes.' },
  not_found: { status: 404, title: 'Not found', meaning: 'No such resource, or no such route.' },
  conflict: { status: 409, title: 'Conflict', meaning: 'The change clashes with existing state, e.g. a name that is already taken.' },
  precondition_failed: { status: 412, title: 'Precondition failed', meaning: 'The `If-Match` ETag is stale: someone changed the resource since you read it. GET it again and retry.' },
  payload_too_large: { status: 413, title: 'Payload too large', meaning: 'The request body is larger than the API accepts.' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type', meaning: 'Request bodies must be `application/json`.' },
  precondition_required: { status: 428, title: 'Precondition required', meaning: 'Updates need an `If-Match` header with the ETag from a GET, so two writers never overwrite each other silently.' },
  rate_limited: { status: 429, title: 'Too many requests', meaning: 'Slow down; `Retry-After` says when to try again.' },
  unavailable: { status: 503, title: 'Service unavailable', meaning: 'A service the request needs did not answer (e.g. the SMS provider); nothing changed. Try again after `Retry-After`.' },
  internal_error: { status: 500, title: 'Internal error', meaning: 'Something failed on the server; the detail is logged there, never sent.' },
} as const satisfies Record<string, { status: number; title: string; meaning: string }>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** The problem `type` URI of a code (RFC 9457): stable, and named in docs/api-errors.md. */
export const problemType = (code: ErrorCode): string => `urn:latchkey:problem:${code}`;

/** The media type every problem is answered with (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
