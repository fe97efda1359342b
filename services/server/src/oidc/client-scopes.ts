/** Scopes the provider itself defines (claims of the user); everything else in a client's scope belongs to an API. */
export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone'] as const;

const oidcScopes = new Set<string>(OIDC_SCOPES);

/**
 * A stored client lists every scope it may request in one `scope` column.
 * oidc-provider only accepts its own scopes there, so API scopes travel in
 * the extra `api_scopes` metadata and limit what resource tokens may carry.
 */
export function splitClientScope<T extends Record<string, unknown>>(metadata: T): T & { scope?: string; api_scopes: string[] } {
  const all = String(metadata.scope ?? '').split(' ').filter(Boolean);
  const own = all.filter((s) => oidcScopes.has(s));
  const api = all.filter((s) => !oidcScopes.has(s));
  // A client that listed only API scopes must not become unrestricted for ours.
  const scope = own.length ? own.join(' ') : all.length ? 'openid' : undefined;
  const { scope: _stored, ...rest } = metadata;
  return { ...rest, ...(scope ? { scope } : {}), api_scopes: api } as T & { scope?: string; api_scopes: string[] };
}
