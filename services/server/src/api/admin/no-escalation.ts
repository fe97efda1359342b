import { API_SCOPE_NAMES, type ApiScope } from '@latchkey/contract';
import { ADMIN_API_SCOPES } from '../../api-tokens/scopes.ts';
import type { Principal } from '../auth.ts';
import { ApiProblem } from '../problem.ts';

/**
 * An admin route never hands out more than its caller carries (as personal
 * API tokens never mint a stronger one): without this, `clients:write` alone
 * makes a client-credentials client with every API scope (or takes over one by
 * rotating its secret or changing its redirect URIs), and `users:write` alone
 * creates an admin with a known password.
 */
export function refuseApiScopesBeyondCaller(principal: Principal, scopes: readonly string[], what: string): void {
  const beyond = [...new Set(scopes)].filter((scope) => API_SCOPE_NAMES.includes(scope as ApiScope) && !principal.scopes.includes(scope));
  if (beyond.length) throw new ApiProblem('forbidden', `${what} carries API scopes your token does not: ${beyond.join(' ')}`);
}

/** The admin role holds every admin API scope: only a caller carrying them all may give it. */
export function refuseAdminRoleBeyondCaller(principal: Principal, role: string | undefined): void {
  if (role !== 'admin') return;
  const missing = ADMIN_API_SCOPES.filter((scope) => !principal.scopes.includes(scope));
  if (missing.length) throw new ApiProblem('forbidden', `making an admin needs every admin API scope; your token lacks: ${missing.join(' ')}`);
}
