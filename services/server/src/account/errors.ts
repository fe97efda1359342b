import { ERRORS } from '@latchkey/contract/constants';
import { HttpError } from '../http/errors.ts';

/**
 * What an account service refuses, with the API's stable error code
 * (packages/contract error catalogue) and a message fit to show the person:
 * the REST routes turn it into problem+json, the console into a form error.
 * `field` names the input at fault (a validation error's path).
 */
export type AccountErrorCode = 'validation_failed' | 'not_found' | 'conflict' | 'precondition_failed' | 'precondition_required' | 'rate_limited' | 'forbidden' | 'unavailable';

export class AccountError extends HttpError {
  readonly field?: string;

  constructor(code: AccountErrorCode, message: string, options: { field?: string; retryAfterSeconds?: number } = {}) {
    super(ERRORS[code].status, code, message, { expose: true, retryAfterSeconds: options.retryAfterSeconds });
    this.name = 'AccountError';
    this.field = options.field;
  }
}
