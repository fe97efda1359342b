import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie } from '../interactions/csrf.ts';
import { findActiveUser, type UserRow } from '../db/users.ts';
import { isSessionActive } from '../sessions/validity.ts';
import type { ConsoleDeps } from './deps.ts';

/**
 * The console's own session: a random id in a signed, HttpOnly, SameSite=Lax
 * cookie (`__Host-` over https), naming a record in the store. The record is
 * bound to the browser session (uid) the console signed in through: every
 * request checks that session and the account, so a revocation, a logout or
 * a blocked account ends the console at once, on every replica. Losing the
 * store only means a silent re-sign-in (the browser session still stands).
 */
export type ConsoleSession = {
  userId: string;
  /** The browser (OIDC) session's uid. */
  sessionUid: string;
  /** When and how the person last authenticated (the ID token's auth_time, seconds, and amr). */
  authTime: number;
  amr: string[];
};

export type SignedIn = ConsoleSession & { id: string; user: UserRow };

/** Idle lifetime of a console session record; the browser session bounds it too. */
export const CONSOLE_SESSION_TTL_SECONDS = 8 * 60 * 60;

export const consoleCookieName = (secure: boolean) => (secure ? '__Host-lk_console' : 'lk_console');

const recordKey = (id: string) => `console:session:${createHash('sha256').update(id).digest('base64url')}`;

const cookieOptions = (secure: boolean) => ({ httpOnly: true, sameSite: 'lax' as const, secure, path: '/' });

function sign(keys: readonly Buffer[], id: string, key = keys[0]!): string {
  return createHmac('sha256', key).update(`console-session:${id}`).digest('base64url');
}

/** The session id from a cookie whose signature verifies under any current key. */
function unsign(keys: readonly Buffer[], value: string | undefined): string | undefined {
  if (!value) return undefined;
  const [id, mac] = value.split('.');
  if (!id || !mac || !/^[\w-]{43}$/.test(id)) return undefined;
  const actual = Buffer.from(mac);
  let match = false;
  for (const key of keys) {
    const expected = Buffer.from(sign(keys, id, key));
    if (expected.length === actual.length && timingSafeEqual(expected, actual)) match = true;
  }
  return match ? id : undefined;
}

export async function startConsoleSession(deps: ConsoleDeps, res: Response, session: ConsoleSession): Promise<void> {
  const id = randomBytes(32).toString('base64url');
  await deps.store.set(recordKey(id), JSON.stringify(session), CONSOLE_SESSION_TTL_SECONDS);
  const keys = deps.keyring.keys('cookie');
  res.cookie(consoleCookieName(deps.secure), `${id}.${sign(keys, id)}`, cookieOptions(deps.secure));
}

export function clearConsoleCookie(deps: ConsoleDeps, res: Response): void {
  res.clearCookie(consoleCookieName(deps.secure), cookieOptions(deps.secure));
}

/** Deletes the record and the cookie; returns what it held. */
export async function endConsoleSession(deps: ConsoleDeps, req: Request, res: Response): Promise<ConsoleSession | undefined> {
  const id = unsign(deps.keyring.keys('cookie'), readCookie(req, consoleCookieName(deps.secure)));
  clearConsoleCookie(deps, res);
  if (!id) return undefined;
  const stored = await deps.store.get(recordKey(id)).catch(() => undefined);
  await deps.store.del(recordKey(id)).catch(() => {});
  return stored ? (JSON.parse(stored) as ConsoleSession) : undefined;
}

/**
 * The signed-in person of this request, or undefined (and the stale cookie
 * and record gone) when there is none or its browser session or account no
 * longer stands.
 */
export async function currentConsoleSession(deps: ConsoleDeps, req: Request, res: Response): Promise<SignedIn | undefined> {
  const id = unsign(deps.keyring.keys('cookie'), readCookie(req, consoleCookieName(deps.secure)));
  if (!id) return undefined;
  const stored = await deps.store.get(recordKey(id));
  const session = stored ? (JSON.parse(stored) as ConsoleSession) : undefined;
  const live = session && (await isSessionActive({ knex: deps.db.knex, store: deps.store }, session.sessionUid));
  const user = live ? await findActiveUser(deps.db.knex, session.userId) : undefined;
  if (!session || !user) {
    await deps.store.del(recordKey(id)).catch(() => {});
    clearConsoleCookie(deps, res);
    return undefined;
  }
  // Sliding idle timeout, refreshed at most once per request.
  await deps.store.set(recordKey(id), stored!, CONSOLE_SESSION_TTL_SECONDS).catch(() => {});
  return { ...session, id, user };
}
