import { decodeJwt } from 'jose';
import type { Client, KoaContextWithOIDC } from 'oidc-provider';

/**
 * Our rule for refresh tokens from the authorization endpoint: a client
 * registered with the `refresh_token` grant and `offline_access` in its scope
 * (the CLI's default) keeps `offline_access` when it asks for it, with or
 * without `prompt=consent`. Consent is still obtained: the consent page lists
 * it the first time (first-party clients skip the page by operator choice),
 * and a remembered grant covers later sign-ins. OIDC Core 11 allows this
 * ("unless other conditions ... permitting offline access ... are in place");
 * the operator's registration is that condition. oidc-provider drops the
 * scope without `prompt=consent`, so an SPA would never get a refresh token.
 *
 * Runs as the `scope` extraParams validator, i.e. right after
 * oidc-provider's own scope check on /auth and PAR, and puts the scope back.
 */
const ROUTES = new Set(['authorization', 'pushed_authorization_request']);

export function clientMayKeepOfflineAccess(client: Client | undefined): boolean {
  if (!client?.grantTypeAllowed('refresh_token')) return false;
  const allowed = String((client as unknown as { scope?: unknown }).scope ?? '').split(' ');
  return allowed.includes('offline_access');
}

/** The scope as the client sent it: from its pushed request or request object if it used one, else the query or form. */
function requestedScope(ctx: KoaContextWithOIDC): string | undefined {
  const { oidc } = ctx;
  const body = (oidc.body ?? {}) as Record<string, unknown>;
  const pushed = (oidc.entities as { PushedAuthorizationRequest?: { request?: unknown } }).PushedAuthorizationRequest?.request;
  const requestObject = typeof pushed === 'string' ? pushed : typeof body.request === 'string' ? body.request : undefined;
  if (requestObject) {
    const scope = decodeJwt(requestObject).scope;
    return typeof scope === 'string' ? scope : undefined;
  }
  const raw = ctx.method === 'POST' ? body.scope : ctx.query.scope;
  return typeof raw === 'string' ? raw : undefined;
}

export async function keepOfflineAccess(ctx: KoaContextWithOIDC, value: string | undefined, client: Client): Promise<void> {
  if (!ROUTES.has(ctx.oidc.route)) return;
  const current = value?.split(' ') ?? [];
  if (current.includes('offline_access') || !clientMayKeepOfflineAccess(client)) return;
  if (!requestedScope(ctx)?.split(' ').includes('offline_access')) return;
  ctx.oidc.params!.scope = [...current, 'offline_access'].join(' ');
}
