import type { Request, Response } from 'express';
import type { Actor } from '../../events/actor.ts';
import { auditActor, principalOf } from '../authorize.ts';
import { decodeCursor, encodeCursor, type CursorScope } from '../cursor.ts';
import { ApiProblem } from '../problem.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import type { Position } from '../../db/keyset.ts';

/** The caller of an admin route as the audit trail names them, and from where. */
export function requestActor(req: Request, res: Response): Actor {
  return {
    ...auditActor(principalOf(res)),
    ip: req.ip,
    userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
  };
}

/** A timestamp column as the API shows it. */
export const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

/** The keyset position a list's cursor holds (400 invalid_cursor unless we signed it for this list, sort and filters). */
export function positionOf(keyring: Keyring, scope: CursorScope, cursor: string | undefined): Position | undefined {
  if (cursor === undefined) return undefined;
  const [key, id, extra] = decodeCursor(keyring, scope, cursor);
  if (typeof key !== 'string' || typeof id !== 'string' || extra !== undefined) throw new ApiProblem('invalid_cursor', 'the cursor is not valid for this list: start again without it');
  return { key, id };
}

export const cursorOf = (keyring: Keyring, scope: CursorScope, next: Position | null): string | null => (next ? encodeCursor(keyring, scope, [next.key, next.id]) : null);
