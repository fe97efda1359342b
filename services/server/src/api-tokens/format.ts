import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Personal API token format: `lk_pat_` + 30 random base62 characters
 * (≈178 bits) + 6 base62 characters of CRC32 over the random part. The prefix
 * lets secret scanners find leaked tokens; the checksum lets them and us
 * reject a typo or a made-up string offline, before any database lookup.
 */
export const PERSONAL_TOKEN_PREFIX = 'lk_pat_';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 30;
const CHECKSUM_LENGTH = 6; // 62^6 > 2^32, so every CRC32 fits
const SHAPE = new RegExp(`^${PERSONAL_TOKEN_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

/** Characters shown in lists to tell tokens apart: the prefix plus the first random characters. */
const DISPLAY_LENGTH = PERSONAL_TOKEN_PREFIX.length + 6;

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: bytes above it are dropped so every character is equally likely.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export function checksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i += 1) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function generatePersonalToken(): string {
  const body = randomBase62(RANDOM_LENGTH);
  return PERSONAL_TOKEN_PREFIX + body + checksum(body);
}

/** Looks like a personal token (prefix only): such strings are never treated as another kind of token. */
export function looksLikePersonalToken(value: string): boolean {
  return value.startsWith(PERSONAL_TOKEN_PREFIX);
}

/** Right prefix, length, alphabet and checksum: decided offline. */
export function isWellFormedPersonalToken(value: unknown): value is string {
  if (typeof value !== 'string' || !SHAPE.test(value)) return false;
  const body = value.slice(PERSONAL_TOKEN_PREFIX.length, PERSONAL_TOKEN_PREFIX.length + RANDOM_LENGTH);
  return checksum(body) === value.slice(PERSONAL_TOKEN_PREFIX.length + RANDOM_LENGTH);
}

export function displayPrefix(token: string): string {
  return token.slice(0, DISPLAY_LENGTH);
}
