import { contract } from '@latchkey/contract';
import { initClient } from '@ts-rest/core';
import * as client from 'openid-client';
import { createPersonalToken } from '../../src/api-tokens/manage.ts';
import { authorize } from './browser.ts';
import { canUseRealServices, startTestServer, type TestServer, type TestServerOptions } from './server.ts';

/**
 * Helpers for REST API tests: a typed client made from the contract, and
 * real access tokens for `<issuer>/api` (client credentials, or a user
 * through the code flow), so a route test is a few lines.
 */

export const apiIdentifier = (server: Pick<TestServer, 'issuer'>) => `${server.issuer}/api`;

/** A typed client for the whole API; `token` goes into `Authorization: Bearer`. */
export function apiClient(server: Pick<TestServer, 'url'>, token?: string, headers: Record<string, string> = {}) {
  return initClient(contract, {
    baseUrl: server.url,
    baseHeaders: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    throwOnUnknownStatus: false,
  });
}

export type ApiClient = ReturnType<typeof apiClient>;

/** A server for an API test: on real Postgres when the suite has it (where the API's proof runs), else on PGlite. */
export const startApiTestServer = (options: TestServerOptions = {}): Promise<TestServer> =>
  startTestServer({ ...(canUseRealServices ? { backend: 'postgres' as const } : {}), ...options });

const discover = (server: TestServer, clientId: string, clientSecret?: string) =>
  client.discovery(new URL(server.issuer), clientId, clientSecret ? { client_secret: clientSecret } : {}, clientSecret ? undefined : client.None(), {
    execute: [client.allowInsecureRequests],
  });

/** A client-credentials token for the API carrying `scopes` (the client is allowed exactly these). */
export async function clientCredentialsToken(server: TestServer, scopes: string[]): Promise<{ token: string; clientId: string }> {
  const { client_id, client_secret } = await server.createClient({ scope: scopes.join(' '), grant_types: ['client_credentials'] });
  const config = await discover(server, client_id, client_secret);
  const tokens = await client.clientCredentialsGrant(config, { resource: apiIdentifier(server), scope: scopes.join(' ') });
  return { token: tokens.access_token, clientId: client_id };
}

/** A typed client calling as a new client-credentials client allowed exactly `scopes`. */
export async function clientApi(server: TestServer, scopes: string[]): Promise<ApiClient> {
  return apiClient(server, (await clientCredentialsToken(server, scopes)).token);
}

/** The body of a 200 answer, or fails the test with what came back. */
export function okBody<R extends { status: number; body: unknown }>(answer: R): Extract<R, { status: 200 }>['body'] {
  if (answer.status !== 200) throw new Error(`expected 200, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/**
 * A user's access token for the API through the authorization code flow
 * with `resource=<issuer>/api` (a real sign-in and consent). `userId`
 * reuses an existing user; otherwise a new one is made with `role`. The
 * client is first-party when `account` is asked for (only those clients'
 * tokens carry it), unless `firstParty` says otherwise.
 */
export async function userToken(
  server: TestServer,
  scopes: string[],
  options: { userId?: string; role?: string; dpop?: client.DPoPHandle; firstParty?: boolean } = {},
): Promise<{ token: string; userId: string; clientId: string }> {
  const userId = options.userId ?? (await server.createUser({ role: options.role ?? 'user' }));
  const firstParty = options.firstParty ?? scopes.includes('account');
  const { client_id, client_secret, redirect_uri } = await server.createClient({ scope: ['openid', ...scopes].join(' '), first_party: firstParty });
  const config = await discover(server, client_id, client_secret);
  const verifier = client.randomPKCECodeVerifier();
  const resource = apiIdentifier(server);
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri,
    scope: ['openid', ...scopes].join(' '),
    resource,
    prompt: 'consent',
    state: 'st',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const callback = await authorize(url, userId, redirect_uri);
  const tokens = await client.authorizationCodeGrant(
    config,
    callback,
    { pkceCodeVerifier: verifier, expectedState: 'st' },
    { resource },
    options.dpop ? { DPoP: options.dpop } : undefined,
  );
  return { token: tokens.access_token, userId, clientId: client_id };
}

/** An admin user's token with `scopes` (default: every admin scope the route under test needs is up to the caller). */
export function adminToken(server: TestServer, scopes: string[]): Promise<{ token: string; userId: string; clientId: string }> {
  return userToken(server, scopes, { role: 'admin' });
}

/** The ETag of a response, or fails the test with what came back. */
export function etag(response: { headers: Headers; status: number }): string {
  const value = response.headers.get('etag');
  if (!value) throw new Error(`no ETag on a ${response.status} response`);
  return value;
}

/**
 * A personal API token (lk_pat_…) with `scopes`, made by the same service the
 * account API uses. `userId` reuses a user; otherwise a new one is made with
 * `role` (and the non-API scopes it should hold in `userScopes`).
 */
export async function personalToken(
  server: TestServer,
  scopes: string[],
  options: { userId?: string; role?: string; userScopes?: string[]; name?: string } = {},
): Promise<{ token: string; userId: string; tokenId: string }> {
  const userId = options.userId ?? (await server.createUser({ role: options.role ?? 'user', scopes: options.userScopes ?? [] }));
  const created = await createPersonalToken(
    { knex: server.db.knex, keyring: server.keyring },
    { userId, name: options.name ?? `test-${Math.random().toString(36).slice(2)}`, scopes, expiresInDays: 30 },
    { actorUserId: userId },
  );
  if (!created.ok) throw new Error(`personalToken: ${created.detail}`);
  return { token: created.token, userId, tokenId: created.view.id };
}
