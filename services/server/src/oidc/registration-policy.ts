import { createHash, timingSafeEqual } from 'node:crypto';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/env.ts';
import type { Limiter } from '../ratelimit/index.ts';
import { checkRedirectUri } from './redirect-uris.ts';

/**
 * Dynamic client registration (RFC 7591), by LATCHKEY_REGISTRATION:
 *
 * - `off`: no registration endpoint.
 * - `initial-access-token`: every registration presents LATCHKEY_REGISTRATION_TOKEN.
 * - `open-public`: anyone may register a public client (no secret, PKCE, code
 *   flow, https or loopback redirect URIs), limited per IP; anything else still
 *   needs the token. Open registrations get no registration access token, so
 *   they cannot later update themselves into confidential clients.
 */

/** What an open (token-less) registration may ask for. */
const OPEN_GRANT_TYPES = new Set(['authorization_code', 'refresh_token']);
const OPEN_RESPONSE_TYPES = new Set(['code']);

type Features = NonNullable<Configuration['features']>;
type Metadata = Record<string, unknown>;

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether the request carries the operator's initial access token (compared in constant time). */
export function presentsInitialAccessToken(ctx: KoaContextWithOIDC | undefined, token: string | undefined): boolean {
  const header = ctx?.get?.('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!token || !match) return false;
  return timingSafeEqual(digest(match[1]!), digest(token));
}

/** The first reason an open registration is refused, or undefined when it is a plain public client. */
export function openRegistrationProblem(metadata: Metadata): string | undefined {
  if (metadata.token_endpoint_auth_method !== 'none') {
    return 'open registration is for public clients: token_endpoint_auth_method must be "none" (confidential clients need the initial access token)';
  }
  const grantTypes = (metadata.grant_types as string[] | undefined) ?? [];
  const badGrant = grantTypes.find((grant) => !OPEN_GRANT_TYPES.has(grant));
  if (badGrant) return `open registration allows only the authorization_code and refresh_token grant types, not ${badGrant}`;
  const badResponse = ((metadata.response_types as string[] | undefined) ?? []).find((type) => !OPEN_RESPONSE_TYPES.has(type));
  if (badResponse) return `open registration allows only the code response type, not ${badResponse}`;
  for (const uri of (metadata.redirect_uris as string[] | undefined) ?? []) {
    const problem = checkRedirectUri(uri, { isPublic: true });
    if (problem) return `redirect URI ${problem.uri} ${problem.reason}`;
    // RFC 8252 loopback or https only: a private-use scheme names no one anybody can check.
    if (!/^https?:/i.test(uri)) return `redirect URI ${uri} must use https (or http on a loopback address) for open registration`;
  }
  return undefined;
}

export function registrationFeatures(config: Pick<Config, 'registration' | 'registrationToken'>): Pick<Features, 'registration' | 'registrationManagement'> {
  const token = config.registrationToken;
  switch (config.registration) {
    case 'off':
      return { registration: { enabled: false }, registrationManagement: { enabled: false } };
    case 'initial-access-token':
      return {
        registration: { enabled: true, initialAccessToken: token! },
        registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
      };
    case 'open-public':
      return {
        // The token is checked here, not by the provider: without it the request may still pass as public.
        registration: { enabled: true, initialAccessToken: false, issueRegistrationAccessToken: (ctx) => presentsInitialAccessToken(ctx, token) },
        registrationManagement: { enabled: Boolean(token), rotateRegistrationAccessToken: true },
      };
  }
}

/**
 * The 'registration' limit in front of open registrations (per IP); a
 * request with the initial access token is the operator's and not counted.
 */
export function limitOpenRegistration(limiter: Limiter, token: string | undefined) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    if (ctx.method !== 'POST' || ctx.path !== '/reg' || presentsInitialAccessToken(ctx, token)) return next();
    // Express's req.ip (LATCHKEY_TRUST_PROXY applies); Koa shares the request object.
    const ip = (ctx.req as { ip?: string }).ip ?? ctx.ip;
    const verdict = await limiter.consume('registration', { ip });
    if (verdict.allowed) return next();
    ctx.status = 429;
    ctx.set('Retry-After', String(verdict.retryAfterSeconds));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: 'temporarily_unavailable', error_description: `too many client registrations from this address; retry after ${verdict.retryAfterSeconds} seconds` };
  };
}
