import type { Configuration } from 'oidc-provider';
import type { Config } from '../config/env.ts';

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

export function clientIdMetadataDocumentFeature(cimd: Config['cimd']): Features['clientIdMetadataDocument'] {
  if (cimd.policy === 'off') return { enabled: false };
  return {
    enabled: true,
    // The draft oidc-provider implements; an upgrade that moves to a newer draft fails at boot until checked.
    ack: 'draft-02',
    allowFetch: async (_ctx, clientId) => cimdAllows(cimd, clientId),
    cacheDuration: { ...CIMD_CACHE_SECONDS },
  } as Features['clientIdMetadataDocument'];
}
