/**
 * The contract's plain values (scope names, the error catalogue, webhook event
 * types) without its routes: importing the package's main entry builds every
 * route's zod schemas, which code that only needs a scope name or an error
 * code should not pay for (the server loads the whole contract with its REST
 * API, on the first /api request).
 */
export { API_SCOPES, API_SCOPE_NAMES, type ApiScope } from './common/api-scopes.ts';
export { ERRORS, ERROR_CODES, PROBLEM_CONTENT_TYPE, problemType, type ErrorCode } from './common/errors.ts';
export { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from './common/webhook-events.ts';
