import type { RouteMetadata } from '@latchkey/contract';
import type { NextFunction, Request, Response } from 'express';
import type { Actor } from '../events/actor.ts';
import type { Principal } from './auth.ts';
import { ApiProblem } from './problem.ts';

/**
 * Per route: authenticate, then demand every scope in the route's
 * `metadata.scopes` (the contract is the single source of who may call
 * what). Account routes (`account`) also need a user behind the token.
 */
export function createAuthorize(authenticate: (req: Request) => Promise<Principal>) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const metadata = (req as Request & { tsRestRoute?: { metadata?: RouteMetadata } }).tsRestRoute?.metadata;
    void (async () => {
      // Fail closed: a route without scope metadata is a contract bug, never an open door.
      if (!Array.isArray(metadata?.scopes)) throw new Error(`route ${req.method} ${req.path} declares no scopes`);
      const principal = await authenticate(req);
      const missing = metadata.scopes.filter((scope) => !principal.scopes.includes(scope));
      if (missing.length) {
        throw new ApiProblem('insufficient_scope', `this route needs the scope${missing.length > 1 ? 's' : ''} ${missing.join(' ')}`, {
          headers: { 'WWW-Authenticate': `${principal.scheme} realm="latchkey", error="insufficient_scope", scope="${metadata.scopes.join(' ')}"` },
        });
      }
      if (metadata.scopes.includes('account') && !principal.userId) throw new ApiProblem('forbidden', 'account routes need a user\'s token, not a client\'s');
      res.locals.principal = principal;
    })().then(() => next(), next);
  };
}

/** The authenticated caller of this request (set by authorize). */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('principalOf called on a route without authorize');
  return principal;
}

/** The audit actor of a principal: the user (a PAT names its token too), or the client. */
export function auditActor(principal: Principal): Actor {
  if (principal.kind === 'client') return { actorType: 'client', actorId: principal.clientId, clientId: principal.clientId, data: {} };
  return {
    actorUserId: principal.userId,
    clientId: principal.clientId,
    data: principal.kind === 'pat' ? { via: 'api_token', token_id: principal.tokenId } : { via: 'api' },
  };
}
