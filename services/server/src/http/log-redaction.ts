import { stdSerializers } from 'pino';

/**
 * Keys whose values can act as a credential (or carry one, like a request
 * object or a connection URL), compared in lower case. `code` is an
 * authorization or emailed code everywhere except on an error, where it is
 * the SQLSTATE or errno an operator needs (23505, ECONNREFUSED).
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password', 'new_password', 'current_password', 'client_secret', 'secret', 'secrets', 'code', 'code_verifier',
  'refresh_token', 'access_token', 'id_token', 'id_token_hint', 'token', 'registration_access_token',
  'assertion', 'client_assertion', 'request', 'login_hint', 'login_hint_token', 'device_code', 'user_code',
  'invitation', 'otp', 'totp', 'csrf', 'private_jwk', 'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'dpop',
  'database_url', 'databaseurl', 'redis_url', 'redisurl', 'smtp_url', 'smtpurl',
]);

export const CENSOR = '[redacted]';
/** Deeper than this, a value is dropped whole: nothing past the walk can leak. */
const MAX_DEPTH = 12;
const TOO_DEEP = '[redacted: nested too deep]';
/** Keys whose object values are errors even when they are plain objects. */
const ERROR_KEYS = new Set(['err', 'error', 'cause']);

/** True for a secret key, also in array or bracket form: `client_secret[]`, `password[0]`, `user[password]`. */
export function isSecretKey(key: string): boolean {
  if (SECRET_KEYS.has(key)) return true;
  const lower = key.toLowerCase();
  if (SECRET_KEYS.has(lower)) return true;
  if (!lower.includes('[')) return false;
  return lower.split(/[[\]]+/).some((part) => SECRET_KEYS.has(part));
}

/**
 * A copy of a log object with every secret-bearing value replaced, at any
 * depth; objects with nothing to hide are returned as they are (no copy), so
 * a request line of a few flat fields costs one pass over its keys.
 */
export function redactSecrets(object: Record<string, unknown>): Record<string, unknown> {
  return redactObject(object, 0, false);
}

function redactValue(value: object, depth: number, inError: boolean): unknown {
  if (depth > MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      if (item === null || typeof item !== 'object') continue;
      const next = redactValue(item, depth + 1, inError);
      if (next !== item) (copy ??= value.slice())[i] = next;
    }
    return copy ?? value;
  }
  if (value instanceof Error) {
    // Serialized here (message, stack, causes, own fields such as `code`) so its fields can be redacted too.
    return redactObject({ ...stdSerializers.err(value) }, depth, true);
  }
  // Dates, Buffers, URLs and the like log through toJSON; Maps and Sets log as {}.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function' || value instanceof Map || value instanceof Set) return value;
  return redactObject(value as Record<string, unknown>, depth, inError);
}

function redactObject(object: Record<string, unknown>, depth: number, inError: boolean): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    let next: unknown;
    if (isSecretKey(key) && !(inError && key === 'code')) {
      if (value === undefined || value === CENSOR) continue;
      next = CENSOR;
    } else if (value !== null && typeof value === 'object') {
      next = redactValue(value, depth + 1, inError || ERROR_KEYS.has(key));
    } else {
      continue;
    }
    if (next !== value) (copy ??= { ...object })[key] = next;
  }
  return copy ?? object;
}
