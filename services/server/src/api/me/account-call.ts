import type { Request, Response } from 'express';
import type { AccountActor } from '../../account/deps.ts';
import { AccountError } from '../../account/errors.ts';
import { principalOf } from '../authorize.ts';
import { ApiProblem, toProblem } from '../problem.ts';

/** The account owner behind this /me request (authorize guarantees a user), and from where. */
export function accountActor(req: Request, res: Response): AccountActor {
  const userAgent = req.headers['user-agent'];
  return { userId: principalOf(res).userId!, ip: req.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
}

/**
 * Runs an account service; a refusal about one field becomes a problem that
 * names it as `errors[].path` (the rest, code and Retry-After included, is
 * toProblem's). `where` says where the fields came from ('body', 'params').
 */
export async function accountCall<T>(run: () => Promise<T>, where = 'body'): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof AccountError && error.field)) throw error;
    const { problemCode, message, headers } = toProblem(error);
    throw new ApiProblem(problemCode, message, { headers, errors: [{ path: `${where}.${error.field}`, message }] });
  }
}
