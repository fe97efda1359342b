/**
 * Email addresses as people type them: surrounding spaces trimmed, case kept
 * as typed (lookups compare lower(email), matching the unique index).
 * Validation is deliberately loose: the code we mail is the real check.
 */
export const EMAIL_MAX_LENGTH = 254;

export function normalizeEmail(input: unknown): string {
  return typeof input === 'string' ? input.trim() : '';
}

export function isValidEmail(email: string): boolean {
  if (!email || email.length > EMAIL_MAX_LENGTH) return false;
  // One @, something on each side, no spaces or control characters, a dot-free domain allowed (localhost, intranets).
  return /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u.test(email) && !email.endsWith('.') && !email.includes('..');
}
