import type { Knex } from 'knex';
import { errors, type ResourceServer } from 'oidc-provider';
import { findApiResource, findBuiltInApiResource, type ApiResourceRow } from '../db/api-resources.ts';
import type { MetadataCache } from './metadata-cache.ts';

/** The identifier of this server's own REST API: tokens for it have this audience. */
export const builtInApiIdentifier = (issuer: string): string => `${issuer}/api`;

/** An API by the identifier a client asked for: `<issuer>/api` is the built-in row. */
export async function resolveApiResource(knex: Knex, issuer: string, identifier: string): Promise<ApiResourceRow | undefined> {
  if (identifier === builtInApiIdentifier(issuer)) {
    const row = await findBuiltInApiResource(knex);
    return row && { ...row, identifier };
  }
  return findApiResource(knex, identifier);
}

/**
 * RFC 8707 resource indicators: a registered API gets JWT access tokens
 * (RFC 9068) with its own audience, scopes and lifetime; anything else is an
 * invalid_target. Scopes are those of the API that the client was allowed.
 */
export function createGetResourceServerInfo(knex: Knex, issuer: string, cache?: MetadataCache<ApiResourceRow>) {
  // Every JWT request names its API: looked up through the cache (metadata-cache.ts) when the server has one.
  const lookup = cache ?? { get: (identifier: string) => resolveApiResource(knex, issuer, identifier) };
  return async (_ctx: unknown, resourceIndicator: string, client: { api_scopes?: unknown }): Promise<ResourceServer> => {
    const resource = await lookup.get(resourceIndicator);
    if (!resource) throw new errors.InvalidTarget('resource indicator is not a registered API');
    // A client gets only the API scopes an operator listed for it.
    const allowed = new Set(Array.isArray(client.api_scopes) ? (client.api_scopes as string[]) : []);
    return {
      scope: resource.scopes.filter((scope) => allowed.has(scope)).join(' '),
      audience: resource.identifier,
      accessTokenTTL: resource.access_token_ttl,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: resource.signing_alg as 'RS256' } },
    };
  };
}
