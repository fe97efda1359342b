import type { Request } from 'express';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { Strategy as OidcStrategy, type AuthenticateOptions } from 'openid-client/passport';
import { Strategy as GitHubStrategy } from 'passport-github2';
import { Strategy as GoogleStrategy } from 'passport-google-oauth20';
import type { Config } from '../config/env.ts';
import type { SocialUpstream } from '../config/social.ts';
import type { Store } from '../store/index.ts';
import { cleanEmail, cleanName, keptClaims, type UpstreamIdentity } from './identity.ts';
import { saveFlow } from './state.ts';
import { callbackUrl, UPSTREAM_TIMEOUT_SECONDS, type SocialRequest } from './upstreams.ts';

/**
 * The passport strategy of each kind of upstream. This module (and with it
 * passport's strategies and openid-client) is loaded by upstreams.ts when an
 * upstream is first used, not at start.
 */

type Done = (error: unknown, user?: UpstreamIdentity | false, info?: unknown) => void;

/**
 * passport-oauth2's state store (PKCE form: store has five parameters,
 * verify four — passport-oauth2 decides by arity). Storing writes the flow
 * with its verifier to the store; verifying checks the flow the callback
 * route already took, once, from the store.
 */
class FlowStateStore {
  readonly #kv: Store;

  constructor(kv: Store) {
    this.#kv = kv;
  }

  store(req: SocialRequest, verifier: string, _state: unknown, _meta: unknown, callback: (error: unknown, state?: string) => void): void {
    const start = req.socialStart;
    if (!start) return callback(new Error('no social sign-in was started on this request'));
    saveFlow(this.#kv, { ...start, codeVerifier: verifier }).then(
      () => callback(null, start.state),
      (error: unknown) => callback(error),
    );
  }

  verify(req: SocialRequest, providedState: string, _meta: unknown, callback: (error: unknown, ok: string | false, info?: unknown) => void): void {
    const flow = req.socialFlow;
    if (!flow || flow.state !== providedState || !flow.codeVerifier) return callback(null, false, { message: 'state' });
    callback(null, flow.codeVerifier, {});
  }
}

export function gitHubStrategy(upstream: Extract<SocialUpstream, { kind: 'github' }>, config: Config, kv: Store) {
  const web = upstream.baseUrl ?? 'https://github.com';
  // GitHub Enterprise Server serves the REST API under /api/v3 of its own host.
  const api = upstream.baseUrl ? `${upstream.baseUrl}/api/v3` : 'https://api.github.com';
  class GitHub extends GitHubStrategy {
    // passport-github2's own profile code parses the emails answer outside any
    // try (a malformed body would throw out of a socket callback) and ignores
    // `verified`; this one does neither.
    override userProfile(accessToken: string, done: (error?: Error | null, profile?: unknown) => void): void {
      const get = (url: string) =>
        new Promise<unknown>((resolve, reject) =>
          this._oauth2.get(url, accessToken, (error, body) => {
            if (error) return reject(new Error(`GitHub answered ${url} with an error`, { cause: error }));
            try {
              resolve(JSON.parse(String(body)));
            } catch {
              reject(new Error(`GitHub answered ${url} with something other than JSON`));
            }
          }),
        );
      (async () => {
        const user = (await get(`${api}/user`)) as Record<string, unknown>;
        const emails = await get(`${api}/user/emails`);
        if (!user || typeof user !== 'object' || (typeof user.id !== 'number' && typeof user.id !== 'string')) throw new Error('GitHub sent no user id');
        const primary = Array.isArray(emails) ? (emails as Array<Record<string, unknown>>).find((entry) => entry?.primary === true) : undefined;
        return { user, primary };
      })().then((profile) => done(null, profile), (error: unknown) => done(error as Error));
    }
  }
  return new GitHub(
    {
      clientID: upstream.clientId,
      clientSecret: upstream.clientSecret,
      callbackURL: callbackUrl(config, upstream.id),
      authorizationURL: `${web}/login/oauth/authorize`,
      tokenURL: `${web}/login/oauth/access_token`,
      scope: ['read:user', 'user:email'],
      state: true,
      pkce: true,
      store: new FlowStateStore(kv) as never,
      userAgent: 'Latchkey',
    } as never,
    (_accessToken: string, _refreshToken: string, profile: { user: Record<string, unknown>; primary?: Record<string, unknown> }, done: Done) => {
      const { user, primary } = profile;
      const email = cleanEmail(primary?.email);
      const emailVerified = Boolean(email) && primary?.verified === true;
      done(null, {
        upstream: upstream.id,
        subject: String(user.id),
        email,
        emailVerified,
        name: cleanName(user.name) ?? cleanName(user.login),
        claims: keptClaims({ id: user.id, login: user.login, name: user.name ?? null, html_url: user.html_url ?? null, avatar_url: user.avatar_url ?? null, email, email_verified: emailVerified }),
      });
    },
  );
}

export function googleStrategy(upstream: Extract<SocialUpstream, { kind: 'google' }>, config: Config, kv: Store) {
  class Google extends GoogleStrategy {
    override authorizationParams(options: { nonce?: string }): object {
      return { ...super.authorizationParams(options), ...(options.nonce ? { nonce: options.nonce } : {}) };
    }
  }
  return new Google(
    {
      clientID: upstream.clientId,
      clientSecret: upstream.clientSecret,
      callbackURL: callbackUrl(config, upstream.id),
      scope: ['openid', 'email', 'profile'],
      state: true,
      pkce: true,
      store: new FlowStateStore(kv) as never,
      passReqToCallback: true,
    } as never,
    ((req: Request, _accessToken: string, _refreshToken: string, params: { id_token?: unknown }, profile: { id: string; _json?: Record<string, unknown> }, done: Done) => {
      // The ID token came straight from Google's token endpoint over TLS; its nonce must be this flow's.
      let nonce: unknown;
      try {
        nonce = typeof params.id_token === 'string' ? decodeJwt(params.id_token).nonce : undefined;
      } catch {
        nonce = undefined;
      }
      if (nonce !== (req as SocialRequest).socialFlow?.nonce) return done(null, false, { message: 'nonce' });
      const json = profile._json ?? {};
      const email = cleanEmail(json.email);
      done(null, {
        upstream: upstream.id,
        subject: String(profile.id),
        email,
        emailVerified: Boolean(email) && json.email_verified === true,
        name: cleanName(json.name),
        claims: keptClaims(json),
      });
    }) as never,
  );
}

export async function oidcStrategy(upstream: Extract<SocialUpstream, { kind: 'oidc' }>, config: Config) {
  const insecure = upstream.issuer.startsWith('http://');
  const server = await oidc.discovery(new URL(upstream.issuer), upstream.clientId, upstream.clientSecret, undefined, {
    timeout: UPSTREAM_TIMEOUT_SECONDS,
    // config/social.ts allows http:// issuers outside production only.
    ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
  });
  server.timeout = UPSTREAM_TIMEOUT_SECONDS;
  // ID token signatures are checked against the upstream's JWKS too (openid-client skips it by default).
  oidc.enableNonRepudiationChecks(server);
  const base = config.issuer;

  class Upstream extends OidcStrategy {
    // The callback URL the upstream answered; from the configured issuer, never the Host header.
    override currentUrl(req: Request): URL {
      return new URL(req.originalUrl, `${base}/`);
    }

    override shouldInitiateAuthRequest(req: Request): boolean {
      return Boolean((req as SocialRequest).socialStart);
    }

    // State and nonce always (openid-client would drop state when the upstream supports PKCE).
    override authorizationRequestParams<T extends AuthenticateOptions>(req: Request, options: T): URLSearchParams {
      const params = new URLSearchParams(super.authorizationRequestParams(req, options));
      const start = (req as SocialRequest).socialStart!;
      params.set('state', start.state);
      params.set('nonce', start.nonce);
      return params;
    }
  }

  return new Upstream(
    { config: server, name: upstream.id, sessionKey: 'upstream', callbackURL: callbackUrl(config, upstream.id), scope: 'openid email profile' },
    async (tokens, verified) => {
      try {
        const idClaims = tokens.claims();
        if (!idClaims) return verified(null, false, { message: 'no ID token' });
        const userinfo: Record<string, unknown> = server.serverMetadata().userinfo_endpoint ? await oidc.fetchUserInfo(server, tokens.access_token, idClaims.sub) : {};
        const claims: Record<string, unknown> = { ...userinfo, ...idClaims };
        // Only the upstream's own explicit `true` counts; a missing claim or "true" as text does not.
        const emailVerified = (userinfo.email_verified ?? idClaims.email_verified) === true;
        const email = cleanEmail(userinfo.email ?? idClaims.email);
        verified(null, {
          upstream: upstream.id,
          subject: idClaims.sub,
          email,
          emailVerified: Boolean(email) && emailVerified,
          name: cleanName(claims.name) ?? cleanName(claims.preferred_username),
          claims: keptClaims(claims),
        });
      } catch (error) {
        verified(error);
      }
    },
  );
}

export { appleStrategy } from './apple.ts';
