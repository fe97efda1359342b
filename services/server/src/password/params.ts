/**
 * argon2id cost parameters, in one place. OWASP's minimum for argon2id
 * (19 MiB, 2 passes, 1 lane) keeps a sign-in near 50 ms on one core while a
 * leaked hash still costs an attacker real memory per guess. Raising any of
 * these makes every stored hash "need a rehash", done on the next sign-in.
 */
export type PasswordHashParams = Readonly<{
  /** KiB of memory per hash. */
  memoryCost: number;
  /** Passes over the memory. */
  timeCost: number;
  /** Lanes. */
  parallelism: number;
  /** Bytes of output. */
  outputLen: number;
}>;

export const PASSWORD_HASH_PARAMS: PasswordHashParams = Object.freeze({
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
});

/** NIST 800-63B: at least 8 characters, and allow long passphrases (we cap the work argon2 is asked to do). */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;
