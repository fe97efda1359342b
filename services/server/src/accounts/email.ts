/**
 * Email addresses as people type them: surrounding spaces trimmed, case kept
 * as typed (lookups compare lower(email), matching the unique index).
 * Validation is deliberately loose (the code we mail is the real check) but
 * ASCII only: Postgres lower() folds some non-ASCII letters differently from
 * JavaScript (lower('İ') = 'i'), so a look-alike address could find another
 * person's account while its code went to the look-alike's inbox.
 */
export const EMAIL_MAX_LENGTH = 254;

export function normalizeEmail(input: unknown): string {
  return typeof input === 'string' ? input.trim() : '';
}

export function isValidEmail(email: string): boolean {
  if (!email || email.length > EMAIL_MAX_LENGTH) return false;
  // One @, something on each side, no spaces or control characters, a dot-free domain allowed (localhost, intranets).
  return /^[\x21-\x3f\x41-\x7e]+@[\x21-\x3f\x41-\x7e]+$/.test(email) && !email.endsWith('.') && !email.includes('..');
}
