import type { Configuration } from 'oidc-provider';
import { cookieSigner } from './cookie-signer.ts';

/**
 * oidc-provider's cookies. Over an https issuer they carry the `__Host-`
 * prefix: browsers then accept them only with Secure, Path=/ and no Domain,
 * so a sibling subdomain cannot plant (toss) a session or interaction cookie
 * of its own choosing. `__Host-` needs Path=/; the interaction cookie takes
 * it from `short.path`, the resume cookie's path is forced by oidc-provider
 * and rewritten in internals.ts. One interaction per browser at a time is the
 * price: a second sign-in started elsewhere replaces the first one's cookies,
 * and the first page then says it expired.
 */
export function providerCookies(issuer: string, keys: string[], options: { secure: boolean }): NonNullable<Configuration['cookies']> {
  const hostOnly = isHostOnly(issuer);
  const base = { signed: true, secure: options.secure || hostOnly, sameSite: 'lax' as const };
  return {
    // Keys imported once (cookie-signer.ts); the cookies are the ones Keygrip would sign.
    keys: cookieSigner(keys),
    names: cookieNames(issuer),
    long: { ...base, path: '/' },
    short: hostOnly ? { ...base, path: '/' } : base,
  };
}

/** `__Host-` cookies need a secure origin. */
export function isHostOnly(issuer: string): boolean {
  return issuer.startsWith('https://');
}

export function cookieNames(issuer: string): { session: string; interaction: string; resume: string } {
  return isHostOnly(issuer)
    ? { session: '__Host-lk_session', interaction: '__Host-lk_interaction', resume: '__Host-lk_resume' }
    : { session: '_session', interaction: '_interaction', resume: '_interaction_resume' };
}
