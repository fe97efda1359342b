import type { CountryCode } from 'libphonenumber-js/max';
import { lazy } from '../lazy.ts';

// ~500 KB of metadata: loaded with the first number parsed, not at start.
const phoneNumbers = lazy<typeof import('libphonenumber-js/max')>('libphonenumber-js/max');

export type ParsedPhone = { ok: true; e164: string } | { ok: false; reason: 'missing' | 'invalid' };

/**
 * What a person typed, as an E.164 number (+14155550100): spaces, dashes,
 * dots and brackets are fine; without a leading + the operator's
 * LATCHKEY_PHONE_REGION is assumed. Full metadata, so a number that cannot
 * exist in its country is refused here rather than by the SMS API.
 */
export function parsePhone(input: unknown, region: string | undefined): ParsedPhone {
  if (typeof input !== 'string' || !input.trim()) return { ok: false, reason: 'missing' };
  const typed = input.trim();
  // Longer than any formatted number: not worth parsing.
  if (typed.length > 40) return { ok: false, reason: 'invalid' };
  const parsed = phoneNumbers().parsePhoneNumberFromString(typed, region ? { defaultCountry: region as CountryCode } : undefined);
  if (!parsed?.isValid()) return { ok: false, reason: 'invalid' };
  return { ok: true, e164: parsed.number };
}

/** "+14…00": enough for a person or an audit reader to recognise their number, not a list of numbers. */
export const maskPhone = (e164: string): string => `${e164.slice(0, 3)}…${e164.slice(-2)}`;
