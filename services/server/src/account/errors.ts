import { HttpError } from '../http/errors.ts';

/**
 * What an account service refuses, with the API's stable error code
 * (packages/contract error catalogue) and a message fit to show the person:
 * the REST routes turn it into problem+json, the console into a form error.
 * `field` names the input at fault (a validation error's path).
 */
export type AccountErrorCode = 'validation_failed' | 'not_found' | 'conflict' | 'precondition_failed' | 'precondition_required' | 'rate_limited' | 'forbidden';

const STATUS: Record<AccountErrorCode, number> = {
  validation_failed: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  precondition_required: 428,
  rate_limited: 429,
};

export class AccountError extends HttpError {
  readonly field?: string;
  readonly retryAfterSeconds?: number;

  constructor(code: AccountErrorCode, message: string, options: { field?: string; retryAfterSeconds?: number } = {}) {
    super(STATUS[code], code, message, { expose: true });
    this.name = 'AccountError';
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
