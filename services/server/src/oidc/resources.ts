import type { Knex } from 'knex';
import { errors, type ResourceServer } from 'oidc-provider';
import { findApiResource } from '../db/api-resources.ts';

/**
 * RFC 8707 resource indicators: a registered API gets JWT access tokens
 * (RFC 9068) with its own audience, scopes and lifetime; anything else is an
 * invalid_target.
 */
export function createGetResourceServerInfo(knex: Knex) {
  return async (_ctx: unknown, resourceIndicator: string): Promise<ResourceServer> => {
    const resource = await findApiResource(knex, resourceIndicator);
    if (!resource) throw new errors.InvalidTarget('resource indicator is not a registered API');
    return {
      scope: resource.scopes.join(' '),
      audience: resource.identifier,
      accessTokenTTL: resource.access_token_ttl,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: resource.signing_alg as 'RS256' } },
    };
  };
}
