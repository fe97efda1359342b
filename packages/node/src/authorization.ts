import { InvalidTokenError } from './errors.ts';

export type PresentedToken = { token: string; scheme: 'Bearer' | 'DPoP' | undefined };

/**
 * The token from an `Authorization: Bearer …` / `DPoP …` header value, or a
 * bare token. The scheme is case-insensitive (RFC 9110 §11.1).
 */
export function readPresentedToken(input: string | undefined | null): PresentedToken {
  const value = (input ?? '').trim();
  if (value === '') throw new InvalidTokenError('missing', 'no access token');
  const match = /^(Bearer|DPoP)\s+(\S+)$/i.exec(value);
  if (match) return { token: match[2]!, scheme: match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer' };
  if (/\s/.test(value)) throw new InvalidTokenError('malformed', 'the Authorization header must be "Bearer <token>" or "DPoP <token>"');
  return { token: value, scheme: undefined };
}
