import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { calculateJwkThumbprint, createLocalJWKSet, EmbeddedJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { Knex } from 'knex';
import { API_SCOPE_NAMES } from '@latchkey/contract/constants';
import { authenticatePersonalToken } from '../api-tokens/verify.ts';
import type { Keyring } from '../crypto/keyring.ts';
import { claimReplay, grantIsLive } from '../db/oidc-models.ts';
import { findActiveUser } from '../db/users.ts';
import type { ProviderHolder } from '../oidc/provider.ts';
import { ACCOUNT_CONSOLE_CLIENT_ID } from '../oidc/console-client.ts';
import { builtInApiIdentifier } from '../oidc/resources.ts';
import { ApiProblem } from './problem.ts';

/** Who is calling: a user (their access token), a client (client credentials) or a user's personal API token. */
export type Principal = {
  kind: 'user' | 'client' | 'pat';
  userId?: string;
  clientId?: string;
  tokenId?: string;
  /** Scopes that count now (admin scopes only while a user is an admin; `account` only through a first-party client). */
  scopes: string[];
  /** How the token was presented; challenges answer in the same scheme. */
  scheme: 'Bearer' | 'DPoP';
};

export type AuthDeps = { issuer: string; knex: Knex; keyring: Keyring; providers: ProviderHolder };

const TOKEN_ALGS = ['RS256', 'ES256', 'PS256', 'EdDSA'];
const DPOP_ALGS = ['ES256', 'EdDSA', 'Ed25519', 'RS256', 'PS256'];
const DPOP_IAT_WINDOW_SECONDS = 60;
const PAT_PREFIX = 'lk_pat_';
const ACCOUNT_SCOPE = 'account';
const ADMIN_SCOPES = new Set<string>(API_SCOPE_NAMES.filter((scope) => scope !== ACCOUNT_SCOPE));

/** RFC 6750 / RFC 9449 challenge for a 401. */
export function challenge(scheme: 'Bearer' | 'DPoP' | 'any', error?: { code: string; description: string }): string {
  const detail = error ? `, error="${error.code}", error_description="${error.description.replaceAll('"', "'")}"` : '';
  const bearer = `Bearer realm="latchkey"${scheme === 'DPoP' ? '' : detail}`;
  const dpop = `DPoP realm="latchkey"${scheme === 'DPoP' ? detail : ''}, algs="${DPOP_ALGS.join(' ')}"`;
  return scheme === 'Bearer' ? bearer : scheme === 'DPoP' ? dpop : `${bearer}, ${dpop}`;
}

const unauthorized = (scheme: 'Bearer' | 'DPoP' | 'any', description?: string, code = 'invalid_token') =>
  new ApiProblem('unauthorized', description ?? 'authentication required: send an access token or personal API token', {
    headers: { 'WWW-Authenticate': challenge(scheme, description ? { code, description } : undefined) },
  });

const AUTHORIZATION = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i;

// One verifier per published key set; the provider holder swaps the set on rotation.
const keySets = new WeakMap<object, ReturnType<typeof createLocalJWKSet>>();
function keySet(providers: ProviderHolder) {
  const jwks = providers.publicJwks;
  let set = keySets.get(jwks);
  if (!set) {
    set = createLocalJWKSet(jwks);
    keySets.set(jwks, set);
  }
  return set;
}

/** Authenticates the request's credentials, or throws a 401 problem with a WWW-Authenticate challenge. */
export function createAuthenticator(deps: AuthDeps): (req: Request) => Promise<Principal> {
  const audience = builtInApiIdentifier(deps.issuer);
  const origin = new URL(deps.issuer).origin;

  return async (req) => {
    const header = req.headers.authorization;
    if (!header) throw unauthorized('any');
    const match = AUTHORIZATION.exec(header);
    if (!match) throw unauthorized('any', 'the Authorization header must be "Bearer <token>" or "DPoP <token>"', 'invalid_request');
    const scheme = match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    const token = match[2]!;

    if (token.startsWith(PAT_PREFIX)) {
      if (scheme !== 'Bearer') throw unauthorized('Bearer', 'personal API tokens are sent as Bearer tokens');
      const found = await authenticatePersonalToken({ knex: deps.knex, keyring: deps.keyring }, token, { ip: req.ip });
      if (!found) throw unauthorized('Bearer', 'the personal API token is unknown, expired, revoked or blocked');
      return { kind: 'pat', userId: found.userId, tokenId: found.tokenId, scopes: found.scopes, scheme };
    }

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet(deps.providers), { issuer: deps.issuer, audience, typ: 'at+jwt', algorithms: TOKEN_ALGS }));
    } catch {
      throw unauthorized(scheme, 'the access token is malformed, expired, or not for this API');
    }
    const jkt = (payload.cnf as { jkt?: unknown } | undefined)?.jkt;
    if (typeof jkt === 'string') {
      if (scheme !== 'DPoP') throw unauthorized('DPoP', 'this token is DPoP-bound: send it with the DPoP scheme and a proof');
      await verifyDpopProof(deps.knex, req, { token, jkt, origin });
    } else if (scheme === 'DPoP') {
      throw unauthorized('Bearer', 'this token is not DPoP-bound: send it as a Bearer token');
    }

    const clientId = typeof payload.client_id === 'string' ? payload.client_id : undefined;
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    if (!clientId || typeof payload.sub !== 'string') throw unauthorized(scheme, 'the access token has no subject');
    // A client's deleted: its tokens die with it.
    const client = (await deps.knex('clients').where({ id: clientId }).first('id', 'first_party')) as { id: string; first_party: boolean } | undefined;
    if (!client) throw unauthorized(scheme, 'the access token\'s client no longer exists');
    // oidc-provider sets sub to the client id on client-credentials tokens.
    if (payload.sub === clientId) return { kind: 'client', clientId, scopes, scheme };

    // Checked on every request: a blocked, deleted or locked account's tokens stop at once.
    const user = await findActiveUser(deps.knex, payload.sub);
    if (!user) throw unauthorized(scheme, 'the account is not active');
    // A grant revoked (by the person, an admin, reuse detection or a logout) ends its tokens at once.
    if (typeof payload.gid === 'string' && !(await grantIsLive(deps.knex, payload.gid))) throw unauthorized(scheme, 'the access token\'s grant was revoked');
    return { kind: 'user', userId: user.id, clientId, scopes: userScopes(scopes, { admin: user.role === 'admin', firstParty: isFirstParty(client) }), scheme };
  };
}

/**
 * The scopes of a user's access token that count now: admin scopes only while
 * the user is an admin; `account` (change email or password, mint personal
 * tokens: enough to take the account over) only through the operator's own
 * apps, never through a third-party app the person once consented to.
 */
function userScopes(scopes: string[], who: { admin: boolean; firstParty: boolean }): string[] {
  return scopes.filter((scope) => (ADMIN_SCOPES.has(scope) ? who.admin : scope === ACCOUNT_SCOPE ? who.firstParty : true));
}

// The console's anchor row says first_party too; its id decides even if the row was edited.
const isFirstParty = (client: { id: string; first_party: boolean }) => client.first_party === true || client.id === ACCOUNT_CONSOLE_CLIENT_ID;

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/** RFC 9449 §4.3 and §7.1: the proof is signed by the token's key, for this request, fresh, and used once. */
async function verifyDpopProof(knex: Knex, req: Request, expected: { token: string; jkt: string; origin: string }): Promise<void> {
  const fail = (description: string) => unauthorized('DPoP', description, 'invalid_dpop_proof');
  const proof = req.headers.dpop;
  // Node joins repeated headers with ", "; a JWS never contains a comma.
  if (typeof proof !== 'string' || !proof || proof.includes(',')) throw fail('send exactly one DPoP proof header');
  let payload: JWTPayload;
  let jwk: JWK | undefined;
  try {
    const result = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: DPOP_ALGS });
    payload = result.payload;
    jwk = result.protectedHeader.jwk;
  } catch {
    throw fail('the DPoP proof is malformed or its signature does not verify');
  }
  if (!jwk || 'd' in jwk || 'k' in jwk) throw fail('the DPoP proof must carry a public key');
  if (payload.htm !== req.method) throw fail('the DPoP proof is for another HTTP method');
  const requested = new URL(req.originalUrl, expected.origin);
  let htu: URL;
  try {
    htu = new URL(String(payload.htu));
  } catch {
    throw fail('the DPoP proof has no valid htu');
  }
  if (`${htu.origin}${htu.pathname}` !== `${requested.origin}${requested.pathname}`) throw fail('the DPoP proof is for another URL');
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > DPOP_IAT_WINDOW_SECONDS) throw fail('the DPoP proof is too old or from the future');
  if (payload.ath !== sha256(expected.token)) throw fail('the DPoP proof is for another access token');
  if ((await calculateJwkThumbprint(jwk)) !== expected.jkt) throw fail('the DPoP proof is signed by another key than the token is bound to');
  if (typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > 256) throw fail('the DPoP proof needs a jti');
  // One atomic insert decides: a replayed proof loses even on another replica.
  const fresh = await claimReplay(knex, `api-dpop:${sha256(`${expected.jkt}:${payload.jti}`)}`, {}, 2 * DPOP_IAT_WINDOW_SECONDS + 10);
  if (!fresh) throw fail('the DPoP proof was already used');
}
