import type { Request, Response } from 'express';
import type { AccountActor } from '../../account/deps.ts';
import { AccountError } from '../../account/errors.ts';
import { principalOf } from '../authorize.ts';
import { ApiProblem } from '../problem.ts';

/** The account owner behind this /me request (authorize guarantees a user), and from where. */
export function accountActor(req: Request, res: Response): AccountActor {
  const userAgent = req.headers['user-agent'];
  return { userId: principalOf(res).userId!, ip: req.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
}

/**
 * Runs an account service; its refusals become problems with the same
 * catalogue code, the field at fault as `errors[].path` and, for limits,
 * Retry-After. `where` says where the fields came from ('body', 'params').
 */
export async function accountCall<T>(run: () => Promise<T>, where = 'body'): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof AccountError)) throw error;
    throw new ApiProblem(error.code as ConstructorParameters<typeof ApiProblem>[0], error.message, {
      errors: error.field ? [{ path: `${where}.${error.field}`, message: error.message }] : undefined,
      headers: error.retryAfterSeconds ? { 'Retry-After': String(error.retryAfterSeconds) } : undefined,
    });
  }
}
