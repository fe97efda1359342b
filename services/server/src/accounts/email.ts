// The one validator function used, not the whole library (~100 modules) at start. A CommonJS
// module whose exports are the function and whose `default` is the function too.
import isEmailModule from 'validator/lib/isEmail.js';

const isEmail = isEmailModule.default;

/**
 * Email addresses as people type them: surrounding spaces trimmed, case kept
 * as typed (lookups compare lower(email), matching the unique index).
 *
 * Only a plain addr-spec (local@domain) is an address here. Display names
 * (`"alice" <attacker@evil.example>`), group syntax, comments and quoted
 * local parts are refused: mail software would parse them into a different
 * recipient than the string we store and vouch for. The check is the
 * `validator` package's, not ours; we only narrow its options.
 *
 * ASCII only: Postgres lower() folds some non-ASCII letters differently from
 * JavaScript (lower('İ') = 'i'), so a look-alike address could find another
 * person's account while its code went to the look-alike's inbox.
 */
export const EMAIL_MAX_LENGTH = 254;

const ADDR_SPEC = {
  allow_display_name: false,
  require_display_name: false,
  allow_utf8_local_part: false,
  allow_ip_domain: false,
  // Dot-free domains stay allowed (localhost, intranets).
  require_tld: false,
  // A quoted local part ("a b"@x) or an escape is legal RFC 5322 but never what a person means.
  blacklisted_chars: '"\\\\',
} as const;

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

export function normalizeEmail(input: unknown): string {
  return typeof input === 'string' ? input.trim() : '';
}

export function isValidEmail(email: string): boolean {
  if (typeof email !== 'string' || !email || email.length > EMAIL_MAX_LENGTH) return false;
  // validator accepts internationalized domains; this project does not (see above).
  return PRINTABLE_ASCII.test(email) && isEmail(email, ADDR_SPEC);
}
