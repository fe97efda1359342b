import type { Algorithm } from '@node-rs/argon2';
import { lazy } from '../lazy.ts';
import { PASSWORD_HASH_PARAMS, type PasswordHashParams } from './params.ts';

// A native addon: loaded with the first password hashed or checked, not at start.
const argon2 = lazy<typeof import('@node-rs/argon2')>('@node-rs/argon2');

// The library's Algorithm is a const enum, which type stripping cannot inline.
const ARGON2ID = 2 as Algorithm;

/**
 * NIST 800-63B asks verifiers to normalize Unicode before hashing, so "é"
 * typed as one code point or as e + combining accent is the same password.
 */
const normalize = (password: string) => password.normalize('NFKC');

export async function hashPassword(password: string, params: PasswordHashParams = PASSWORD_HASH_PARAMS): Promise<string> {
  return argon2().hash(normalize(password), { ...params, algorithm: ARGON2ID });
}

/** True when `password` matches `stored`; false for a wrong password or a hash we cannot parse. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await argon2().verify(stored, normalize(password));
  } catch {
    return false;
  }
}

/** True when `stored` was made with other parameters (or another algorithm) than the current ones. */
export function needsRehash(stored: string, params: PasswordHashParams = PASSWORD_HASH_PARAMS): boolean {
  try {
    const used = argon2().parseOptions(stored);
    return (
      used.algorithm !== ARGON2ID ||
      used.memoryCost !== params.memoryCost ||
      used.timeCost !== params.timeCost ||
      used.parallelism !== params.parallelism ||
      used.outputLen !== params.outputLen
    );
  } catch {
    return true;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the same time as checking a real password, for an account that does
 * not exist or has no password, so the answer's timing tells nothing. The
 * dummy hash is made once, with the current parameters.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword('latchkey-dummy-password-never-matches');
  await verifyPassword(await dummy, password);
  return false;
}
