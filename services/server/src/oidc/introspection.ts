import type { Knex } from 'knex';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { Keyring } from '../crypto/keyring.ts';
import { lookupPersonalToken } from '../api-tokens/verify.ts';
import { looksLikePersonalToken } from '../api-tokens/format.ts';
import { grantIsLive } from '../db/oidc-models.ts';
import { findActiveUser } from '../db/users.ts';
import { builtInApiIdentifier } from './resources.ts';

/**
 * Who may introspect what (DESIGN.md "Who may introspect"): a token's own
 * client, and the API resource the token is for, with the credentials that
 * resource got at registration (`latchkey resources create` →
 * introspection_client_id/secret). Personal API tokens are introspectable by
 * the resources their scopes belong to, and answer with only those scopes.
 * Nobody else learns anything: their answer is `active: false`.
 */

type IntrospectedResource = { identifier: string; scopes: string[] };

/** The API resource whose introspection client this is, with its identifier as tokens carry it. */
export async function resourceIntrospectedBy(knex: Knex, issuer: string, clientId: string): Promise<IntrospectedResource | undefined> {
  const row = (await knex('clients as c')
    .join('api_resources as r', 'r.id', 'c.introspects_resource_id')
    .where('c.id', clientId)
    .first('r.identifier', 'r.built_in', 'r.scopes')) as { identifier: string; built_in: boolean; scopes: string[] } | undefined;
  if (!row) return undefined;
  return { identifier: row.built_in ? builtInApiIdentifier(issuer) : row.identifier, scopes: row.scopes };
}

const audiences = (aud: unknown): string[] => [aud ?? []].flat().filter((a): a is string => typeof a === 'string');

export type IntrospectionDeps = { knex: Knex; keyring: Keyring; issuer: string };

/** allowedPolicy for tokens oidc-provider stores (opaque access, client credentials, refresh tokens). */
export function createIntrospectionPolicy(deps: IntrospectionDeps) {
  return async (clientId: string, token: { clientId?: string; aud?: unknown; accountId?: string }): Promise<boolean> => {
    if (!(await accountUsable(deps.knex, token.accountId))) return false;
    if (token.clientId === clientId) return true;
    const aud = audiences(token.aud);
    // A client registered under its API's identifier was the old way to be an audience.
    if (aud.includes(clientId)) return true;
    const resource = await resourceIntrospectedBy(deps.knex, deps.issuer, clientId);
    return resource !== undefined && aud.includes(resource.identifier);
  };
}

async function accountUsable(knex: Knex, accountId: string | undefined): Promise<boolean> {
  return accountId === undefined || (await findActiveUser(knex, accountId)) !== undefined;
}

const INACTIVE = { active: false } as const;

export type IntrospectionAnswer = Record<string, unknown> & { active: boolean };

function isJwt(token: string): boolean {
  try {
    return Boolean(decodeProtectedHeader(token));
  } catch {
    return false;
  }
}

/** The public halves of the provider's keys (its JWKS holds private JWKs). */
export function publicKeySet(jwks: { keys: readonly object[] }) {
  const PRIVATE = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);
  const keys = jwks.keys.map((key) => Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE.has(name) && name !== 'key_ops')) as JWK);
  return createLocalJWKSet({ keys });
}

/**
 * Answers for what oidc-provider cannot look up: our JWT access tokens
 * (self-contained, not stored) and personal API tokens. Undefined when the
 * token is neither, so the provider's own answer stands.
 */
export function createSelfContainedIntrospection(deps: IntrospectionDeps & { jwks: { keys: readonly object[] } }) {
  const keySet = publicKeySet(deps.jwks);

  async function jwtAnswer(clientId: string, token: string): Promise<IntrospectionAnswer> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, { issuer: deps.issuer, typ: 'at+jwt', algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'] }));
    } catch {
      return INACTIVE;
    }
    const tokenClient = typeof payload.client_id === 'string' ? payload.client_id : undefined;
    const aud = audiences(payload.aud);
    let allowed = tokenClient === clientId;
    if (!allowed) {
      const resource = await resourceIntrospectedBy(deps.knex, deps.issuer, clientId);
      allowed = resource !== undefined && aud.includes(resource.identifier);
    }
    if (!allowed) return INACTIVE;
    // sub is the user, or the client itself for client-credentials tokens.
    const user = payload.sub !== undefined && payload.sub !== tokenClient ? payload.sub : undefined;
    if (!(await accountUsable(deps.knex, user))) return INACTIVE;
    // A revoked grant or ended session ends its JWTs too (they are not stored).
    if (typeof payload.gid === 'string' && !(await grantIsLive(deps.knex, payload.gid))) return INACTIVE;
    const { cnf, ...claims } = payload;
    return {
      ...claims,
      active: true,
      token_type: (cnf as { jkt?: string } | undefined)?.jkt ? 'DPoP' : 'Bearer',
      ...(cnf ? { cnf } : {}),
    };
  }

  async function personalTokenAnswer(clientId: string, token: string): Promise<IntrospectionAnswer> {
    const resource = await resourceIntrospectedBy(deps.knex, deps.issuer, clientId);
    if (!resource) return INACTIVE;
    const found = await lookupPersonalToken(deps, token);
    if (!found) return INACTIVE;
    const own = new Set(resource.scopes);
    const scopes = found.scopes.filter((scope) => own.has(scope));
    if (scopes.length === 0) return INACTIVE;
    return {
      active: true,
      token_type: 'Bearer',
      iss: deps.issuer,
      sub: found.userId,
      aud: resource.identifier,
      scope: scopes.join(' '),
      iat: Math.floor(found.issuedAt.getTime() / 1000),
      ...(found.expiresAt ? { exp: Math.floor(found.expiresAt.getTime() / 1000) } : {}),
      jti: found.tokenId,
    };
  }

  return async (clientId: string, token: string): Promise<IntrospectionAnswer | undefined> => {
    if (looksLikePersonalToken(token)) return personalTokenAnswer(clientId, token);
    if (isJwt(token)) return jwtAnswer(clientId, token);
    return undefined;
  };
}
