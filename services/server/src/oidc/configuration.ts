import type { Knex } from 'knex';
import { errors, type Adapter, type AdapterFactory, type Configuration, type JWKS } from 'oidc-provider';
import type { Config } from '../config/env.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { deviceCodeLimiter } from '../interactions/device-limit.ts';
import { deviceFlowPages } from '../interactions/device.ts';
import { logoutPages } from '../interactions/logout.ts';
import { ACR_VALUES } from '../interactions/acr.ts';
import type { ApiResourceRow } from '../db/api-resources.ts';
import type { Limiter } from '../ratelimit/index.ts';
import type { MetadataCache } from './metadata-cache.ts';
import type { ModelPayload } from '../db/oidc-models.ts';
import { CLAIMS_BY_SCOPE, createFindAccount } from './account.ts';
import { createIntrospectionPolicy } from './introspection.ts';
import { buildInteractionPolicy } from './interaction-policy.ts';
import { providerCookies } from './cookies.ts';
import { renderErrorPage } from './error-page.ts';
import { OIDC_SCOPES } from './client-scopes.ts';
import { checkRedirectUris } from './redirect-uris.ts';
import { loadExistingGrant } from './existing-grant.ts';
import { createGetResourceServerInfo } from './resources.ts';
import { accountConsoleClient } from './console-client.ts';
import { keepOfflineAccess } from './offline-access.ts';
import { providerFetch } from './outbound-fetch.ts';
import { CIMD_MAX_BYTES, clientIdMetadataDocumentFeature, metadataDocumentHost } from './client-id-metadata.ts';
import { openRegistrationProblem, presentsInitialAccessToken, registrationFeatures } from './registration-policy.ts';
import { accessTokenLinks } from './token-links.ts';

/** Token lifetimes in seconds. Signing keys stay published for the longest of these after retirement. */
export const TTL = {
  AccessToken: 60 * 60,
  AuthorizationCode: 60,
  ClientCredentials: 10 * 60,
  DeviceCode: 10 * 60,
  IdToken: 60 * 60,
  Interaction: 60 * 60,
  RefreshToken: 14 * 24 * 60 * 60,
  Grant: 14 * 24 * 60 * 60,
  Session: 14 * 24 * 60 * 60,
} as const;

/** API resources may ask for at most this access-token lifetime. */
export const MAX_RESOURCE_TOKEN_TTL = 24 * 60 * 60;
/** How long a retired key stays in the JWKS: nothing it signed can outlive this. */
export const MAX_SIGNED_TOKEN_TTL = Math.max(TTL.IdToken, MAX_RESOURCE_TOKEN_TTL) + 5 * 60;

// Client secrets are stored hashed, so nothing may use them as an HMAC key:
// only asymmetric algorithms, and no client_secret_jwt.
const SIGNING_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

export type ConfigurationDeps = {
  config: Config;
  knex: Knex;
  keyring: Keyring;
  adapter: AdapterFactory | (new (name: string) => Adapter);
  jwks: JWKS;
  /** Shared with the Express side of /device for the wrong-code limit. */
  limiter: Limiter;
  /** The server's cache of API resources (metadata-cache.ts); absent: every lookup reads Postgres. */
  resources?: MetadataCache<ApiResourceRow>;
  /** The server's cache of clients, the adapter's own (internals.ts reuses a Client per cached row). */
  clients?: MetadataCache<ModelPayload>;
};

export function buildConfiguration({ config, knex, keyring, adapter, jwks, limiter, resources }: ConfigurationDeps): Configuration {
  const resourceServerInfo = createGetResourceServerInfo(knex, config.issuer, resources);
  const introspectionAllowed = createIntrospectionPolicy({ knex, keyring, issuer: config.issuer });
  const secureCookies = config.env === 'production' || config.issuer.startsWith('https://');
  return {
    adapter,
    jwks,
    // Account console (issue 7): the built-in first-party client, made from the issuer and keyring (console-client.ts).
    clients: [accountConsoleClient(config.issuer, keyring)],
    findAccount: createFindAccount(knex),
    // How the person signed in (acr, amr, auth_time) goes in every ID token, as part of `openid`:
    // oidc-provider otherwise adds them only when the request asks (acr_values, max_age, claims), so
    // apps could not see a second factor, nor the console tell a recent one.
    claims: { acr: null, amr: null, auth_time: null, ...CLAIMS_BY_SCOPE, openid: [...CLAIMS_BY_SCOPE.openid, 'acr', 'amr', 'auth_time'] } as unknown as Configuration['claims'],
    scopes: [...OIDC_SCOPES],
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    extraClientMetadata: {
      properties: ['first_party', 'api_scopes'],
      // Runs for every client, stored or being registered. Registration gets
      // the same redirect URI rules as the CLI and can never claim first-party
      // or API scopes (operators grant those).
      // A client ID metadata document is a registration nobody reviewed: the same rules apply to it.
      validator: (ctx, key, value, metadata) => {
        const fromDocument = metadataDocumentHost(String(metadata.client_id ?? '')) !== undefined;
        if (!fromDocument && !ctx?.oidc?.route?.startsWith('registration') && ctx?.oidc?.route !== 'client_update') return;
        if (key === 'api_scopes') {
          if (Array.isArray(value) && value.length) throw new errors.InvalidClientMetadata('api_scopes cannot be set by registration');
          return;
        }
        if (key !== 'first_party') return;
        if (value !== undefined && value !== false) throw new errors.InvalidClientMetadata('first_party cannot be set by registration');
        const isPublic = metadata.token_endpoint_auth_method === 'none';
        const uris = [...(metadata.redirect_uris ?? []), ...((metadata.post_logout_redirect_uris as string[] | undefined) ?? [])];
        const [problem] = checkRedirectUris(uris, { isPublic });
        if (problem) throw new errors.InvalidClientMetadata(`redirect URI ${problem.uri} ${problem.reason}`);
        if (config.registration === 'open-public' && ctx?.oidc?.route === 'registration' && !presentsInitialAccessToken(ctx, config.registrationToken)) {
          const refused = openRegistrationProblem(metadata as Record<string, unknown>);
          if (refused) throw new errors.InvalidClientMetadata(refused);
        }
      },
    },
    enabledJWA: {
      idTokenSigningAlgValues: [...SIGNING_ALGS],
      userinfoSigningAlgValues: [...SIGNING_ALGS],
      introspectionSigningAlgValues: [...SIGNING_ALGS],
      authorizationSigningAlgValues: [...SIGNING_ALGS],
      requestObjectSigningAlgValues: [...SIGNING_ALGS],
      clientAuthSigningAlgValues: [...SIGNING_ALGS],
    },
    cookies: providerCookies(config.issuer, keyring.cookieKeys(), { secure: secureCookies }),
    pkce: { required: () => true },
    // Its requests to client-supplied URLs follow our outbound rule (outbound-fetch.ts).
    fetch: providerFetch,
    // Outbound fetches the provider makes for clients: documents are small (client-id-metadata.ts), key sets bounded.
    fetchResponseBodyLimits: { 'client_id metadata document': CIMD_MAX_BYTES, jwks_uri: 64 * 1024, sector_identifier_uri: 64 * 1024 },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    // `offline_access` without prompt=consent for clients registered for it (offline-access.ts). Declaring
    // `scope` here adds no parameter: it runs our check right after oidc-provider's scope check.
    extraParams: { scope: keepOfflineAccess },
    // ID tokens carry the claims their scopes grant (profile, email, …), as most providers' do; oidc-provider
    // would otherwise put them only in userinfo whenever an access token for userinfo is issued too.
    conformIdTokenClaims: false,
    // JWT access tokens are not stored, so they name their grant (`gid`):
    // introspection and the REST API then see a revoked grant or a logout at once.
    // Tokens of a browser session also name it (`sid`, pairwise per API), so an API
    // receiving Shared Signals can refuse them when the session ends.
    extraTokenClaims: async (_ctx, token) => accessTokenLinks(keyring, token),
    ttl: {
      ...TTL,
      // An API's own token lifetime wins over the default for tokens issued to it.
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? TTL.AccessToken,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? TTL.ClientCredentials,
    },
    acrValues: [...ACR_VALUES],
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: buildInteractionPolicy() },
    renderError: async (ctx, out) => renderErrorPage(config.brand, ctx, out),
    // First-party clients skip the consent page; a device never reuses a remembered grant.
    loadExistingGrant,
    // An SPA calls the token, revocation and userinfo endpoints from its own origin: a public client's
    // registered redirect URI origins may (any client's, for userinfo); confidential clients call from
    // servers and get no CORS. Stated here rather than left to the library's "should change" default.
    clientBasedCORS: (ctx, origin, client) =>
      origin !== 'null' &&
      (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') &&
      (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true, ...deviceFlowPages({ brand: config.brand, limiter: deviceCodeLimiter(limiter) }) },
      introspection: {
        enabled: true,
        // A client may introspect its own tokens; an API resource's introspection client, tokens for that
        // resource (introspection.ts). A blocked, deleted or locked account's tokens answer active: false.
        // JWT access tokens and personal API tokens are answered in internals.ts (the provider stores neither).
        allowedPolicy: async (_ctx, client, token) => introspectionAllowed(client.clientId, token as { clientId?: string; aud?: unknown; accountId?: string }),
      },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, ...logoutPages(config.brand) },
      // backchannel_logout_uri in client metadata and discovery; delivery is ours, through an outbox (src/backchannel/).
      backchannelLogout: { enabled: true },
      dPoP: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // A token request without `resource` gets the single resource the grant holds, if any.
        defaultResource: async (_ctx, _client, oneOf) => (oneOf && oneOf.length === 1 ? oneOf[0]! : undefined),
        useGrantedResource: async () => true,
        getResourceServerInfo: (ctx, indicator, client) => resourceServerInfo(ctx, indicator, client as unknown as { api_scopes?: unknown }),
      },
      // LATCHKEY_REGISTRATION (registration-policy.ts) and LATCHKEY_CIMD (client-id-metadata.ts).
      ...registrationFeatures(config),
      clientIdMetadataDocument: clientIdMetadataDocumentFeature(config.cimd, knex),
    },
  };
}
