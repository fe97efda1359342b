import { API_SCOPE_NAMES } from '@latchkey/contract/constants';

/**
 * What a personal API token may carry: never more than its owner holds.
 * `account` (the /me routes) for everyone, the user's own `scopes` column,
 * and the admin API scopes only while the user's role is `admin`. Checked at
 * creation and again on every use, so a demoted admin's tokens lose their
 * admin scopes at once.
 */
export const ACCOUNT_SCOPE = 'account';

/** The admin API scopes of `<issuer>/api`: every scope of the contract but `account`. */
export const ADMIN_API_SCOPES: readonly string[] = API_SCOPE_NAMES.filter((scope) => scope !== ACCOUNT_SCOPE);

const ADMIN = new Set(ADMIN_API_SCOPES);

export type ScopeHolder = { role: string; scopes: readonly string[] };

export function scopesOwnerHolds(owner: ScopeHolder): Set<string> {
  const held = new Set<string>([ACCOUNT_SCOPE]);
  for (const scope of owner.scopes) if (!ADMIN.has(scope) || owner.role === 'admin') held.add(scope);
  if (owner.role === 'admin') for (const scope of ADMIN_API_SCOPES) held.add(scope);
  return held;
}

/** The requested scopes the owner does not hold (empty: all allowed). */
export function scopesBeyondOwner(owner: ScopeHolder, requested: readonly string[]): string[] {
  const held = scopesOwnerHolds(owner);
  return requested.filter((scope) => !held.has(scope));
}

/** The token's scopes that still count today. */
export function effectiveScopes(owner: ScopeHolder, tokenScopes: readonly string[]): string[] {
  const held = scopesOwnerHolds(owner);
  return tokenScopes.filter((scope) => held.has(scope));
}
