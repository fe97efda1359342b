import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.ts';
import { ApiProblem } from './problem.ts';

/**
 * Opaque page cursors: `<payload>.<mac>`, base64url. The payload is the
 * position (the sort key values of the last item); the HMAC also covers the
 * route, the sort and the filters, so a cursor that was altered, forged, or
 * sent with other filters or sort than its page is refused (400 invalid_cursor)
 * and position values reach SQL only once we know we wrote them.
 */
export type CursorScope = { route: string; sort: string; filters: Record<string, unknown> };

export type CursorPosition = ReadonlyArray<string | number | null>;

// Canonical JSON (sorted keys, no undefined) so equal filters always give equal MACs.
const canonical = (filters: Record<string, unknown>): string =>
  JSON.stringify(Object.keys(filters).sort().filter((key) => filters[key] !== undefined).map((key) => [key, filters[key]]));

const mac = (key: Buffer, scope: CursorScope, payload: string): Buffer =>
  createHmac('sha256', key).update(JSON.stringify([scope.route, scope.sort, canonical(scope.filters), payload])).digest();

export function encodeCursor(keyring: Keyring, scope: CursorScope, position: CursorPosition): string {
  const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
  return `${payload}.${mac(keyring.keys('api-cursor')[0]!, scope, payload).toString('base64url')}`;
}

const invalid = () => new ApiProblem('invalid_cursor', 'the cursor is not valid for this list, its filters and sort: start again without it');

/** The position a cursor holds; throws 400 invalid_cursor unless we made it for this exact list. */
export function decodeCursor(keyring: Keyring, scope: CursorScope, cursor: string): CursorPosition {
  const [payload, signature, extra] = cursor.split('.');
  if (!payload || !signature || extra !== undefined) throw invalid();
  const given = Buffer.from(signature, 'base64url');
  // Under every listed secret, so cursors survive a secret rotation.
  const valid = keyring.keys('api-cursor').some((key) => {
    const expected = mac(key, scope, payload);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!valid) throw invalid();
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(position) || !position.every((v) => v === null || typeof v === 'string' || typeof v === 'number')) throw invalid();
  return position as CursorPosition;
}
