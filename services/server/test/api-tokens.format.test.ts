import { describe, expect, it } from 'vitest';
import { checksum, displayPrefix, generatePersonalToken, isWellFormedPersonalToken, PERSONAL_TOKEN_PREFIX } from '../src/api-tokens/format.ts';

/**
 * Attack/typo: a mistyped or made-up token costs a database lookup, and
 * secret scanners cannot tell a leaked token from noise. The format has a
 * fixed prefix and a CRC32 checksum, so both are decided offline.
 */
describe('personal API token format', () => {
  const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

  it('is lk_pat_ + 30 random base62 characters (> 160 bits) + a 6-character checksum, unique each time', () => {
    const tokens = new Set(Array.from({ length: 200 }, generatePersonalToken));
    expect(tokens.size).toBe(200);
    for (const token of tokens) {
      expect(token).toMatch(/^lk_pat_[0-9A-Za-z]{36}$/);
      expect(isWellFormedPersonalToken(token)).toBe(true);
    }
    expect(30 * Math.log2(62)).toBeGreaterThan(160);
  });

  it('catches every single-character typo in the random part or the checksum', () => {
    const token = generatePersonalToken();
    for (let i = PERSONAL_TOKEN_PREFIX.length; i < token.length; i += 1) {
      for (const replacement of [ALPHABET[(ALPHABET.indexOf(token[i]!) + 1) % 62], ALPHABET[(ALPHABET.indexOf(token[i]!) + 31) % 62]]) {
        const typo = token.slice(0, i) + replacement + token.slice(i + 1);
        expect(isWellFormedPersonalToken(typo), typo).toBe(false);
      }
    }
  });

  it('catches swapped neighbours, dropped and doubled characters', () => {
    const token = generatePersonalToken();
    const body = token.slice(PERSONAL_TOKEN_PREFIX.length);
    let swapped = 0;
    for (let i = 0; i < body.length - 1; i += 1) {
      if (body[i] === body[i + 1]) continue;
      swapped += 1;
      const typo = PERSONAL_TOKEN_PREFIX + body.slice(0, i) + body[i + 1] + body[i] + body.slice(i + 2);
      expect(isWellFormedPersonalToken(typo), typo).toBe(false);
    }
    expect(swapped).toBeGreaterThan(20);
    expect(isWellFormedPersonalToken(token.slice(0, -1))).toBe(false);
    expect(isWellFormedPersonalToken(token + 'a')).toBe(false);
  });

  it.each([
    ['no prefix', (t: string) => t.slice(PERSONAL_TOKEN_PREFIX.length)],
    ['another prefix', (t: string) => `ghp_${t.slice(PERSONAL_TOKEN_PREFIX.length)}`],
    ['upper-case prefix', (t: string) => t.replace('lk_pat_', 'LK_PAT_')],
    ['surrounding space', (t: string) => ` ${t}`],
    ['a character outside base62', (t: string) => `${t.slice(0, 10)}-${t.slice(11)}`],
    ['non-ASCII look-alike', (t: string) => `${t.slice(0, 10)}\u0430${t.slice(11)}`],
  ])('refuses %s', (_label, mangle) => {
    expect(isWellFormedPersonalToken(mangle(generatePersonalToken()))).toBe(false);
  });

  it('refuses values that are not strings', () => {
    for (const value of [undefined, null, 42, {}, ['lk_pat_']]) expect(isWellFormedPersonalToken(value)).toBe(false);
  });

  it('accepts a token built by hand from the documented rule (CRC32 of the random part, base62, 6 characters)', () => {
    const body = 'A'.repeat(30);
    expect(checksum(body)).toMatch(/^[0-9A-Za-z]{6}$/);
    expect(isWellFormedPersonalToken(PERSONAL_TOKEN_PREFIX + body + checksum(body))).toBe(true);
  });

  it('shows only a short display prefix, never enough to use', () => {
    const token = generatePersonalToken();
    const shown = displayPrefix(token);
    expect(token.startsWith(shown)).toBe(true);
    expect(shown.length - PERSONAL_TOKEN_PREFIX.length).toBeLessThanOrEqual(6);
  });
});
