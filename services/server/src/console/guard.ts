import type { RequestHandler, Response } from 'express';
import type { ConsoleDeps } from './deps.ts';
import { isConsolePath } from './paths.ts';
import { currentConsoleSession, type SignedIn } from './session.ts';
import { startSignIn } from './sign-in.ts';

/**
 * Every console page and action but sign-in itself: a live console session
 * or a fresh sign-in (returning to the page asked for; a form post returns to
 * its page, the form is not replayed).
 */
export function requireConsoleSession(deps: ConsoleDeps): RequestHandler {
  return async (req, res, next) => {
    try {
      const session = await currentConsoleSession(deps, req, res);
      if (session) {
        res.locals.consoleSession = session;
        return next();
      }
      // Mounted at /account: baseUrl + path is the full path.
      const path = `${req.baseUrl}${req.path}`.replace(/\/$/, '');
      const page = req.method === 'GET' ? path : path.replace(/\/[^/]*$/, '');
      await startSignIn(deps, req, res, isConsolePath(deps.sections, page) ? page : '/account');
    } catch (error) {
      next(error);
    }
  };
}

/** The signed-in person of a request that passed requireConsoleSession. */
export function signedIn(res: Response): SignedIn {
  const session = res.locals.consoleSession as SignedIn | undefined;
  if (!session) throw new Error('console route mounted without requireConsoleSession');
  return session;
}
