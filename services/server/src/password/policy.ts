import { lazy } from '../lazy.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './params.ts';

/**
 * NIST SP 800-63B password rules: a minimum length counted in characters
 * (Unicode code points, so a passphrase in any script counts fairly), long
 * passphrases allowed, no composition rules, and a block-list of passwords
 * attackers try first plus words tied to this account or service.
 */
export type PasswordProblem = 'short' | 'long' | 'common';

// ~50k passwords most seen in breaches (zxcvbn-ts, MIT), all lower case. Loaded and built once, on first use.
const language = lazy<typeof import('@zxcvbn-ts/language-common')>('@zxcvbn-ts/language-common');
let common: Set<string> | undefined;
const commonPasswords = () => (common ??= new Set(language().dictionary['passwords-common']));

/** Counts code points, not UTF-16 units: "🔑" is one character. */
export const passwordLength = (password: string) => [...password.normalize('NFKC')].length;

export function checkPassword(password: string, context: { email?: string; words?: readonly string[] } = {}): PasswordProblem | undefined {
  const length = passwordLength(password);
  if (length < PASSWORD_MIN_LENGTH) return 'short';
  if (length > PASSWORD_MAX_LENGTH) return 'long';
  const folded = password.normalize('NFKC').toLowerCase();
  if (commonPasswords().has(folded)) return 'common';
  // One character repeated ("aaaaaaaa") is as guessable as any list entry.
  if (new Set(folded).size === 1) return 'common';
  const blocked = [...(context.words ?? [])];
  if (context.email) {
    const email = context.email.trim().toLowerCase();
    blocked.push(email, email.slice(0, email.lastIndexOf('@')));
  }
  if (blocked.some((word) => word && folded === word.normalize('NFKC').toLowerCase())) return 'common';
  return undefined;
}
