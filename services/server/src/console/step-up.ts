import type { Request, Response } from 'express';
import type { ConsoleDeps } from './deps.ts';
import { signedIn } from './guard.ts';
import { startSignIn } from './sign-in.ts';

/** How long a two-factor sign-in counts as recent for changing a factor. */
export const RECENT_SECOND_FACTOR_SECONDS = 10 * 60;

/** Whether the console session signed in with two factors within the last ten minutes. */
export function hasRecentSecondFactor(res: Response, now = Date.now()): boolean {
  const me = signedIn(res);
  return (me.amr ?? []).includes('mfa') && now / 1000 - me.authTime <= RECENT_SECOND_FACTOR_SECONDS;
}

/**
 * Guards a change to a sign-in factor (turning one off, removing a passkey,
 * new recovery codes): with a recent two-factor sign-in it returns true;
 * otherwise it sends the browser through a fresh two-factor sign-in that
 * returns to `returnTo`, and returns false. An account with no second factor
 * has nothing to prove beyond its session.
 */
export async function requireRecentSecondFactor(deps: ConsoleDeps, req: Request, res: Response, returnTo: string, hasSecondFactor: boolean): Promise<boolean> {
  if (!hasSecondFactor || hasRecentSecondFactor(res)) return true;
  await startSignIn(deps, req, res, returnTo, { stepUp: true });
  return false;
}
