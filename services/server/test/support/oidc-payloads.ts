import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * Rows and payloads shaped like the ones oidc-provider 9 hands its adapter
 * (same keys as its models' IN_PAYLOAD), for the adapter suites.
 */

export const epoch = () => Math.floor(Date.now() / 1000);
export const randomId = (bytes = 32) => randomBytes(bytes).toString('base64url');

/** A confidential client row; token tables reference clients(id). */
export async function insertClient(knex: Knex, id = `client-${randomId(6)}`): Promise<string> {
  await knex('clients').insert({
    id,
    name: `App ${id}`,
    secret_hash: 'not-a-real-hash',
    redirect_uris: ['https://app.example.test/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: 'openid offline_access',
    token_endpoint_auth_method: 'client_secret_basic',
  });
  return id;
}

export async function insertUser(knex: Knex): Promise<string> {
  const [row] = (await knex('users').insert({ email: `${randomId(6)}@example.test` }).returning('id')) as Array<{ id: string }>;
  return row!.id;
}

type Common = { clientId: string; grantId?: string; accountId?: string; ttl?: number };

function base(kind: string, ttl: number) {
  const iat = epoch();
  return { iat, exp: iat + ttl, jti: randomId(), kind };
}

export function grantPayload({ clientId, accountId = randomUUID(), ttl = 3600 }: Common) {
  return {
    ...base('Grant', ttl),
    accountId,
    clientId,
    openid: { scope: 'openid offline_access' },
    resources: { 'https://api.example.test': 'read' },
  };
}

export function authorizationCodePayload({ clientId, grantId = randomId(), accountId = randomUUID(), ttl = 60 }: Common) {
  return {
    ...base('AuthorizationCode', ttl),
    accountId,
    authTime: epoch(),
    codeChallenge: randomId(),
    codeChallengeMethod: 'S256',
    grantId,
    redirectUri: 'https://app.example.test/callback',
    scope: 'openid offline_access',
    sessionUid: randomId(12),
    expiresWithSession: true,
    clientId,
  };
}

export function accessTokenPayload({ clientId, grantId = randomId(), accountId = randomUUID(), ttl = 3600 }: Common) {
  return {
    ...base('AccessToken', ttl),
    accountId,
    expiresWithSession: true,
    grantId,
    gty: 'authorization_code',
    sessionUid: randomId(12),
    scope: 'openid',
    clientId,
  };
}

export function refreshTokenPayload({ clientId, grantId = randomId(), accountId = randomUUID(), ttl = 86400 }: Common) {
  return {
    ...base('RefreshToken', ttl),
    accountId,
    authTime: epoch(),
    expiresWithSession: false,
    grantId,
    gty: 'authorization_code',
    iiat: epoch(),
    rotations: 0,
    scope: 'openid offline_access',
    sessionUid: randomId(12),
    clientId,
  };
}

export function deviceCodePayload({ clientId, grantId, accountId, ttl = 600 }: Common) {
  return {
    ...base('DeviceCode', ttl),
    params: { client_id: clientId, scope: 'openid' },
    userCode: randomBytes(4).toString('hex').toUpperCase(),
    deviceInfo: { ip: '127.0.0.1', ua: 'test' },
    ...(grantId ? { grantId } : {}),
    ...(accountId ? { accountId } : {}),
    clientId,
  };
}

export function sessionPayload({ accountId, ttl = 3600 }: { accountId?: string; ttl?: number }) {
  return {
    ...base('Session', ttl),
    uid: randomId(16),
    ...(accountId ? { accountId, loginTs: epoch() } : {}),
    authorizations: {},
  };
}
