import type { RequestHandler } from 'express';

/**
 * After introspection: a token Latchkey reports as DPoP-bound (`cnf.jkt`)
 * must come with a proof by that key. @latchkey/node's introspection mode
 * does not check proofs yet, so without this a token stolen from the SPA
 * would pass here as a plain Bearer token. `proofCheck` is a JWT-mode
 * requireAuth: it verifies the proof (and refuses a bound token it cannot
 * verify locally); the introspection answer stays on `req.auth`.
 */
export function requireProofIfBound(proofCheck: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const auth = req.auth;
    const cnf = (auth?.claims as { cnf?: { jkt?: unknown } } | undefined)?.cnf;
    if (!auth || typeof cnf?.jkt !== 'string') return next();
    void proofCheck(req, res, (error?: unknown) => {
      if (error) return next(error);
      req.auth = auth;
      next();
    });
  };
}
