import type { Knex } from 'knex';
import type Provider from 'oidc-provider';
import type { ClientMetadata } from 'oidc-provider';
import type { Keyring } from '../crypto/keyring.ts';

/**
 * The account console's built-in client (/account is a relying party of this
 * very issuer). It is a static client of the provider configuration, made at
 * startup from LATCHKEY_ISSUER and the keyring, so it needs no operator step,
 * follows the issuer wherever it moves and cannot be shadowed by a stored or
 * registered client (oidc-provider looks static clients up first).
 *
 * Confidential rather than public: its secret is derived from
 * LATCHKEY_SECRETS (a keyed hash of a constant), so only a process holding
 * the secrets can redeem a code issued to it, even one that leaked from a
 * browser's history; PKCE is required on top, as for every client. Every
 * replica derives the same secret, and a rotation changes the secret and its
 * stored hash together.
 *
 * Grants and tokens reference `clients` by foreign key, so a row with this
 * id must exist too: ensureAccountConsoleClientRow puts one there (an anchor
 * only; the provider never reads it, static clients come first).
 */
export const ACCOUNT_CONSOLE_CLIENT_ID = 'latchkey-account';

export const ACCOUNT_CONSOLE_SCOPE = 'openid profile email';

export const accountConsoleRedirectUri = (issuer: string) => `${issuer.replace(/\/$/, '')}/account/callback`;
export const accountConsolePostLogoutUri = (issuer: string) => `${issuer.replace(/\/$/, '')}/account`;

/** The console's client secret (what it sends to the token endpoint). */
export function accountConsoleSecret(keyring: Keyring): string {
  return keyring.hash('client-secret', `${ACCOUNT_CONSOLE_CLIENT_ID}:built-in client secret`);
}

/** The client metadata; `client_secret` is its keyed hash, as for stored clients (see internals.ts). */
export function accountConsoleClient(issuer: string, keyring: Keyring): ClientMetadata {
  return {
    client_id: ACCOUNT_CONSOLE_CLIENT_ID,
    client_name: 'Account console',
    client_secret: keyring.hash('client-secret', accountConsoleSecret(keyring)),
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [accountConsoleRedirectUri(issuer)],
    post_logout_redirect_uris: [accountConsolePostLogoutUri(issuer)],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: ACCOUNT_CONSOLE_SCOPE,
    // First-party: the person is managing their own account here; no consent page.
    first_party: true,
  };
}

/**
 * The browser session (its uid: what revocation and the session list name)
 * and account an access token of the console was issued for. oidc-provider's
 * `sid` claim is a per-client alias of the session, so the console binds to
 * the uid the token carries instead.
 */
export async function accountConsoleTokenOwner(provider: Provider, accessToken: string): Promise<{ sessionUid: string; accountId: string } | undefined> {
  const token = (await provider.AccessToken.find(accessToken)) as { clientId?: string; sessionUid?: string; accountId?: string } | undefined;
  if (!token || token.clientId !== ACCOUNT_CONSOLE_CLIENT_ID || !token.sessionUid || !token.accountId) return undefined;
  return { sessionUid: token.sessionUid, accountId: token.accountId };
}

/**
 * Inserts the anchor row unless present; run before each console sign-in, so
 * a row removed behind the CLI's and API's back (both refuse to delete it;
 * the delete cascades to its grants) only signs console users out. One
 * statement; concurrent calls are harmless.
 */
export async function ensureAccountConsoleClientRow(knex: Knex, issuer: string, keyring: Keyring): Promise<void> {
  await knex('clients')
    .insert({
      id: ACCOUNT_CONSOLE_CLIENT_ID,
      name: `${ACCOUNT_CONSOLE_CLIENT_ID} (built-in account console)`,
      secret_hash: keyring.hash('client-secret', accountConsoleSecret(keyring)),
      redirect_uris: [accountConsoleRedirectUri(issuer)],
      post_logout_redirect_uris: [accountConsolePostLogoutUri(issuer)],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: ACCOUNT_CONSOLE_SCOPE,
      token_endpoint_auth_method: 'client_secret_basic',
      first_party: true,
      metadata: JSON.stringify({ built_in: true }),
    })
    .onConflict()
    .ignore();
}
