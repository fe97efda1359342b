import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { readPresentedToken } from './authorization.ts';
import type { AccessTokenClaims } from './claims.ts';
import { DPoPError, InsufficientScopeError, LatchkeyError } from './errors.ts';
import type { ActiveIntrospection, Introspector } from './introspect.ts';
import type { Verifier } from './verifier.ts';

/** What `requireAuth` puts on `req.auth`. */
export type AuthInfo = {
  /** The user, or the client itself for a client-credentials token. */
  sub: string | undefined;
  clientId: string | undefined;
  scopes: string[];
  token: string;
  /** Where the answer came from: the verified JWT, or Latchkey's introspection endpoint. */
  source: 'jwt' | 'introspection';
  claims: AccessTokenClaims | ActiveIntrospection;
};

// Inside `namespace Express` a bare `AuthInfo` would name Express.AuthInfo, which passport's types
// declare (empty): with passport in the same program, req.auth lost every field.
type LatchkeyAuthInfo = AuthInfo;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own augmentation point.
  namespace Express {
    interface Request {
      auth?: LatchkeyAuthInfo;
    }
  }
}

export type RequireAuthOptions = {
  /** Scopes every request must carry. */
  scopes?: readonly string[];
  /** 'jwt' verifies locally (needs `verifier`); 'introspect' asks Latchkey (needs `introspector`). Default: whichever is given. */
  mode?: 'jwt' | 'introspect';
  verifier?: Verifier;
  introspector?: Introspector;
  /** `realm` in WWW-Authenticate (default: the resource). */
  realm?: string;
  /** The API's identifier; its RFC 9728 metadata URL goes into WWW-Authenticate (default: the verifier's first audience). */
  resource?: string;
  /** The public origin clients call (behind proxies), for DPoP's htu; default from the request (protocol + Host). */
  publicUrl?: string;
};

/** Where RFC 9728 puts a resource's metadata: the well-known path inserted before the resource's path. */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.origin}/.well-known/oauth-protected-resource${path}`;
}

const quote = (value: string) => `"${value.replace(/[\\"]/g, '\\$&')}"`;

function challenge(scheme: string, params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${quote(value)}`);
  return parts.length ? `${scheme} ${parts.join(', ')}` : scheme;
}

const DPOP_ALGS = 'ES256 RS256 PS256 EdDSA';

/**
 * Express middleware that lets a request through only with a valid access
 * token carrying `scopes`. Refusals follow RFC 6750 §3 (and RFC 9449 §7.1 for
 * DPoP): 401 with `WWW-Authenticate: Bearer realm=…, error="invalid_token"`,
 * 403 with `error="insufficient_scope", scope="…"`, each naming the RFC 9728
 * `resource_metadata` so clients (MCP among them) can find the authorization
 * server. Sets `req.auth`.
 */
export function requireAuth(options: RequireAuthOptions): RequestHandler {
  const mode = options.mode ?? (options.verifier ? 'jwt' : 'introspect');
  if (mode === 'jwt' && !options.verifier) throw new TypeError('requireAuth: mode "jwt" needs a verifier (createVerifier)');
  if (mode === 'introspect' && !options.introspector) throw new TypeError('requireAuth: mode "introspect" needs an introspector (createIntrospector)');
  const resource = options.resource ?? options.verifier?.audience[0];
  const metadataUrl = resource && /^https?:\/\//.test(resource) ? protectedResourceMetadataUrl(resource) : undefined;
  const realm = options.realm ?? resource;
  const scopes = options.scopes ?? [];
  const publicUrl = options.publicUrl?.replace(/\/+$/, '');

  function refuse(res: Response, error: LatchkeyError | undefined, scheme: 'Bearer' | 'DPoP') {
    const base = { realm, resource_metadata: metadataUrl };
    if (!error) {
      // No credentials at all: a bare challenge (RFC 6750 §3.1), offering DPoP too when tokens are verified here.
      // The scopes this route needs go with it: MCP clients (2025-11-25) ask for exactly those at sign-in.
      const challenges = [challenge('Bearer', { ...base, scope: scopes.length ? scopes.join(' ') : undefined })];
      if (mode === 'jwt') challenges.push(challenge('DPoP', { realm, algs: DPOP_ALGS }));
      res.status(401).set('www-authenticate', challenges.join(', ')).json({ error: 'invalid_token', error_description: 'an access token is required' });
      return;
    }
    if (error.status >= 500) {
      res.status(503).set('retry-after', '5').json({ error: 'temporarily_unavailable', error_description: 'the authorization server could not be reached' });
      return;
    }
    const description = error.message;
    const params: Record<string, string | undefined> = { ...base, error: error.code, error_description: description };
    if (error instanceof InsufficientScopeError) params.scope = error.required.join(' ');
    if (error instanceof DPoPError && error.code === 'invalid_dpop_proof') {
      scheme = 'DPoP';
      params.algs = DPOP_ALGS;
    }
    res.status(error.status).set('www-authenticate', challenge(scheme, params)).json({ error: error.code, error_description: description });
  }

  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    // Another scheme (Basic, …) is no access token: answer with the bare challenge.
    if (!header || !/^(bearer|dpop)\s/i.test(header)) return refuse(res, undefined, 'Bearer');
    let scheme: 'Bearer' | 'DPoP' = /^dpop\s/i.test(header) ? 'DPoP' : 'Bearer';
    (async () => {
      const url = `${publicUrl ?? `${req.protocol}://${req.get('host')}`}${req.originalUrl}`;
      const request = { method: req.method, url, dpop: req.headers.dpop };
      if (mode === 'jwt') {
        const claims = await options.verifier!.verify(header, { scopes, request });
        if (claims.cnf?.jkt) scheme = 'DPoP';
        req.auth = { sub: claims.sub, clientId: claims.client_id, scopes: claims.scope, token: readPresentedToken(header).token, source: 'jwt', claims };
      } else {
        const answer = await options.introspector!.require(header, { scopes, request });
        if (answer.cnf?.jkt) scheme = 'DPoP';
        req.auth = {
          sub: typeof answer.sub === 'string' ? answer.sub : undefined,
          clientId: typeof answer.client_id === 'string' ? answer.client_id : undefined,
          scopes: answer.scope,
          token: readPresentedToken(header).token,
          source: 'introspection',
          claims: answer,
        };
      }
    })().then(
      () => next(),
      (error: unknown) => (error instanceof LatchkeyError ? refuse(res, error, scheme) : next(error)),
    );
  };
}

export type ProtectedResourceMetadataOptions = {
  /** The API's identifier, as registered with `latchkey resources create --identifier`. */
  resource: string;
  /** Issuer URLs of the authorization servers (your Latchkey). */
  authorizationServers: string[];
  scopes?: string[];
  resourceName?: string;
  resourceDocumentation?: string;
  /** Advertise DPoP (default true). */
  dpop?: boolean;
};

/**
 * Serves the RFC 9728 document at `/.well-known/oauth-protected-resource`
 * (and at the path-suffixed form when the resource has a path): where MCP
 * clients and other OAuth clients learn which authorization server to use.
 * Mount it at the app root.
 */
export function protectedResourceMetadata(options: ProtectedResourceMetadataOptions): RequestHandler {
  const document = {
    resource: options.resource,
    authorization_servers: options.authorizationServers,
    ...(options.scopes ? { scopes_supported: options.scopes } : {}),
    bearer_methods_supported: ['header'],
    ...(options.dpop === false ? {} : { dpop_signing_alg_values_supported: DPOP_ALGS.split(' ') }),
    ...(options.resourceName ? { resource_name: options.resourceName } : {}),
    ...(options.resourceDocumentation ? { resource_documentation: options.resourceDocumentation } : {}),
  };
  const paths = new Set(['/.well-known/oauth-protected-resource', new URL(protectedResourceMetadataUrl(options.resource)).pathname]);
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !paths.has(req.path)) return next();
    res.set({ 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' }).json(document);
  };
}
