import type { Client, Grant, KoaContextWithOIDC } from 'oidc-provider';

/**
 * oidc-provider's `loadExistingGrant`: the grant an authorization request is
 * resolved against. Normally the grant of the consent just given, else the
 * one this browser session holds for the client (oidc-provider's default:
 * a remembered consent). Two exceptions:
 *
 * - first-party clients (an operator setting, `clients.first_party`) get a
 *   grant covering the request just in time and never see the consent page;
 * - the device flow never reuses a remembered grant and never skips the
 *   page, first-party or not: typing a code someone else supplied is how
 *   device phishing works (RFC 8628 section 5.4), so every device asks the
 *   person once, on the consent page, after sign-in.
 */
const DEVICE_ROUTES = new Set(['code_verification', 'device_resume']);

// Claims every ID token carries; never part of consent.
const PROTOCOL_CLAIMS = new Set(['sub', 'sid', 'auth_time', 'acr', 'amr', 'iss']);

export function isFirstParty(client: Client | undefined): boolean {
  return (client as unknown as { first_party?: unknown } | undefined)?.first_party === true;
}

/** Adds what the request asks for and the grant lacks; true when something was added. */
export function coverRequest(grant: Grant, ctx: KoaContextWithOIDC): boolean {
  const { oidc } = ctx;
  let changed = false;

  const granted = new Set(grant.getOIDCScope().split(' '));
  const scopes = [...oidc.requestParamOIDCScopes].filter((scope) => !granted.has(scope));
  if (scopes.length) {
    grant.addOIDCScope(scopes);
    changed = true;
  }

  const grantedClaims = new Set(grant.getOIDCClaims());
  const claims = [...oidc.requestParamClaims].filter((claim) => !grantedClaims.has(claim) && !PROTOCOL_CLAIMS.has(claim));
  if (claims.length) {
    grant.addOIDCClaims(claims);
    changed = true;
  }

  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    const have = new Set(grant.getResourceScope(indicator).split(' '));
    const wanted = [...oidc.requestParamScopes].filter((scope) => server.scopes.has(scope) && !have.has(scope));
    if (wanted.length) {
      grant.addResourceScope(indicator, wanted);
      changed = true;
    }
  }
  return changed;
}

export async function loadExistingGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const clientId = oidc.client!.clientId;
  const device = DEVICE_ROUTES.has(oidc.route);
  const grantId = oidc.result?.consent?.grantId ?? (device ? undefined : oidc.session?.grantIdFor(clientId));
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  if (device || !isFirstParty(oidc.client) || !oidc.account) return existing;

  const grant = existing ?? new oidc.provider.Grant({ accountId: oidc.account.accountId, clientId });
  // Saved only when it changed, so a returning first-party sign-in costs no write.
  if (coverRequest(grant, ctx) || !existing) await grant.save();
  return grant;
}
