import type { Knex } from 'knex';
import { errors, type ResourceServer } from 'oidc-provider';
import { findApiResource } from '../db/api-resources.ts';

/**
 * RFC 8707 resource indicators: a registered API gets JWT access tokens
 * (RFC 9068) with its own audience, scopes and lifetime; anything else is an
 * invalid_target. Scopes are those of the API that the client was allowed.
 */
export function createGetResourceServerInfo(knex: Knex) {
  return async (_ctx: unknown, resourceIndicator: string, client: { api_scopes?: unknown }): Promise<ResourceServer> => {
    const resource = await findApiResource(knex, resourceIndicator);
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
