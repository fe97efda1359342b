import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/env.ts';
import type { Knex } from 'knex';
import { recordDocumentClient } from '../db/oidc-clients.ts';
import type { Logger } from '../http/logger.ts';

/**
 * OAuth Client ID Metadata Documents: an https URL used as client_id is
 * fetched and its JSON is the client's metadata. oidc-provider does the
 * fetching, validation and caching (features.clientIdMetadataDocument); this
 * decides which URLs it may fetch at all, before any request is made
 * (LATCHKEY_CIMD, LATCHKEY_CIMD_HOSTS). The fetch itself goes through the
 * provider's `fetch`, which only reaches public addresses.
 */

/** Documents are a few hundred bytes of JSON; 5 KB leaves room for long names and many redirect URIs. */
export const CIMD_MAX_BYTES = 5 * 1024;

/**
 * Cache bounds in seconds around the document's Cache-Control / Expires. At
 * least a minute, so a client cannot make us fetch on every request; at most
 * an hour, so a document that drops a redirect URI is obeyed within the hour.
 */
export const CIMD_CACHE_SECONDS = { min: 60, max: 3600 } as const;

/** `*.example.com` matches any host below example.com (not example.com itself); anything else matches exactly. */
export function hostMatches(host: string, pattern: string): boolean {
  const name = host.toLowerCase();
  if (pattern.startsWith('*.')) return name.endsWith(pattern.slice(1)) && name.length > pattern.length - 1;
  return name === pattern;
}

/** The host a metadata-document client comes from, for the consent page; undefined for registered clients. */
export function metadataDocumentHost(clientId: string): string | undefined {
  if (!clientId.startsWith('https://')) return undefined;
  return URL.parse(clientId)?.host;
}

/** Whether LATCHKEY_CIMD lets the provider fetch this client_id (called before any request is made). */
export function cimdAllows(cimd: Config['cimd'], clientId: string): boolean {
  if (cimd.policy === 'off') return false;
  if (cimd.policy === 'any') return true;
  const url = URL.parse(clientId);
  if (!url) return false;
  return cimd.hosts.some((pattern) => hostMatches(url.hostname, pattern));
}

type Features = NonNullable<Configuration['features']>;

type DocumentClient = { clientId: string; redirectUris?: string[]; grantTypes?: string[]; responseTypes?: string[]; clientAuthMethod?: string };

export function clientIdMetadataDocumentFeature(cimd: Config['cimd'], knex: Knex): Features['clientIdMetadataDocument'] {
  if (cimd.policy === 'off') return { enabled: false };
  return {
    enabled: true,
    // The draft oidc-provider implements; an upgrade that moves to a newer draft fails at boot until checked.
    ack: 'draft-02',
    allowFetch: async (_ctx, clientId) => cimdAllows(cimd, clientId),
    cacheDuration: { ...CIMD_CACHE_SECONDS },
    // Runs on every use, cached or fetched. Each use makes sure the client's row exists (db/oidc-clients.ts;
    // a no-op insert once it does): remembering it in the process instead would miss an operator deleting it.
    allowClient: async (_ctx, resolved) => {
      const client = resolved as unknown as DocumentClient;
      await recordDocumentClient(knex, {
        id: client.clientId,
        redirectUris: client.redirectUris ?? [],
        grantTypes: client.grantTypes ?? [],
        responseTypes: client.responseTypes ?? [],
        authMethod: client.clientAuthMethod ?? 'none',
      });
      return true;
    },
  } as Features['clientIdMetadataDocument'];
}

type ProviderError = { error?: string; error_description?: string; error_detail?: string };

/**
 * The client sees only invalid_client ("fetch failed"); the operator's log
 * says why (a private address, too large, too slow, a client_id mismatch),
 * which may name our network and so stays out of the response.
 */
export function logDocumentRefusals(provider: Provider, logger: Logger): void {
  const log = (ctx: KoaContextWithOIDC, error: ProviderError) => {
    const clientId = ctx.oidc?.params?.client_id;
    if (typeof clientId !== 'string' || !metadataDocumentHost(clientId) || !/^invalid_client/.test(error.error ?? '')) return;
    logger.warn({ client_id: clientId, error: error.error, reason: error.error_description, detail: error.error_detail }, 'client ID metadata document refused');
  };
  provider.on('authorization.error', log);
  provider.on('pushed_authorization_request.error', log);
  provider.on('grant.error', log);
}
