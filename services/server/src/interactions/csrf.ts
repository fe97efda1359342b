import { createHmac, createSecretKey, randomFillSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';

/**
 * Double-submit CSRF protection for our own forms: a random, HttpOnly cookie
 * and a hidden field carrying a keyed hash of it. A cross-site page can make
 * the browser send the cookie but can neither read it nor compute the hash.
 */
export type Csrf = {
  /** The token to embed in a form (sets the cookie if the browser has none yet). */
  token: (req: Request, res: Response) => string;
  /** Rejects a POST whose `csrf` field does not match the cookie. */
  verify: RequestHandler;
};

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined; // a malformed cookie is no cookie
    }
  }
  return undefined;
}

// CSRF cookie values are drawn from a buffer filled 128 at a time: a randomBytes(32) call cost as
// much as the rest of the token. Each value takes bytes no other value has had.
const pool = Buffer.alloc(32 * 128);
let drawn = pool.length;
function newCookieValue(): string {
  if (drawn === pool.length) {
    randomFillSync(pool);
    drawn = 0;
  }
  drawn += 32;
  return pool.toString('base64url', drawn - 32, drawn);
}

/**
 * `keys`: newest first. Tokens are made with the newest; a form rendered
 * before a secret rotation (signed with an older key) still verifies.
 */
export function createCsrf(options: { keys: readonly Buffer[]; secure: boolean; onFailure: RequestHandler }): Csrf {
  const cookieName = options.secure ? '__Host-lk_csrf' : 'lk_csrf';
  if (options.keys.length === 0) throw new Error('createCsrf needs at least one key');
  // Imported once: every sign-in page renders a token.
  const keys = options.keys.map((key) => createSecretKey(key));
  const sign = (value: string, key: KeyObject = keys[0]!) => createHmac('sha256', key).update(value).digest('base64url');
  return {
    token(req, res) {
      // Once per response: a page with several forms (sign-in with a passkey) embeds the same token.
      const made = res.locals.csrfToken as string | undefined;
      if (made) return made;
      let value = readCookie(req, cookieName) ?? (res.locals.csrfCookie as string | undefined);
      if (!value || !/^[\w-]{43}$/.test(value)) {
        value = newCookieValue();
        res.locals.csrfCookie = value;
        res.cookie(cookieName, value, { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/' });
      }
      const token = sign(value);
      res.locals.csrfToken = token;
      return token;
    },
    verify(req, res, next) {
      const cookie = readCookie(req, cookieName);
      const submitted = typeof req.body?.csrf === 'string' ? req.body.csrf : '';
      const actual = Buffer.from(submitted);
      let match = false;
      for (const key of cookie ? keys : []) {
        const expected = Buffer.from(sign(cookie!, key));
        if (expected.length === actual.length && timingSafeEqual(expected, actual)) match = true;
      }
      if (match) return next();
      return options.onFailure(req, res, next);
    },
  };
}
