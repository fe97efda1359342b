import type { Request, Response } from 'express';
import type { AccountActor } from '../account/deps.ts';
import { AccountError } from '../account/errors.ts';
import type { FieldErrors } from '../interactions/views/layout.ts';
import { signedIn } from './guard.ts';

/** The signed-in owner acting on their own account, from this request (for limits and the audit trail). */
export function actorOf(req: Request, res: Response): AccountActor {
  return { userId: signedIn(res).userId, ip: req.ip, userAgent: req.get('user-agent')?.slice(0, 512) };
}

export type FormFailure = { errors: FieldErrors; formError?: string; status: number };

/**
 * What an account service refused, as the form shows it: next to the field
 * it names, else at the top; with the service's status (400, 409, 429 …).
 * Anything else is not the person's doing and goes on to the error handler.
 */
export function formFailure(error: unknown, fields: readonly string[]): FormFailure {
  if (!(error instanceof AccountError)) throw error;
  if (error.retryAfterSeconds !== undefined) return { errors: {}, formError: error.message, status: error.status };
  if (error.field && fields.includes(error.field)) return { errors: { [error.field]: error.message }, status: error.status };
  return { errors: {}, formError: error.message, status: error.status };
}

/** A submitted form field as text ('' when absent or not text). */
export const fieldOf = (req: Request, name: string): string => (typeof req.body?.[name] === 'string' ? (req.body[name] as string) : '');
