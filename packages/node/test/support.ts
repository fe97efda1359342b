import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { personalToken } from '../../../services/server/test/support/api.ts';
import { startCliReachableServer, type CliReachableServer } from '../../../services/server/test/support/server.ts';
import { createResourceWithCredentials } from '../../../services/server/src/resources/introspection-client.ts';
import { loadSigningKeys } from '../../../services/server/src/oidc/keys.ts';

/**
 * A real Latchkey server for the SDK's tests (real Postgres when the suite
 * has it, else PGlite), and the few things a test does against it: register
 * an API, get real tokens for it, make DPoP proofs.
 */

export { personalToken };

/** The server, and what an operator's CLI needs to reach its database (the URL only on real Postgres). */
export type TestServer = CliReachableServer;

export const startLatchkey = startCliReachableServer;

export type Credentials = { introspection_client_id: string; introspection_client_secret: string };

/** Registers an API the way `latchkey resources create` does (the same service), returning its introspection credentials. */
export async function registerApi(server: TestServer, identifier: string, scopes: string[], signingAlg: 'RS256' | 'ES256' = 'RS256'): Promise<Credentials> {
  const { credentials } = await createResourceWithCredentials(
    { knex: server.db.knex, issuer: server.issuer, keyring: server.keyring },
    { identifier, scopes, signing_alg: signingAlg },
    { actor: { actorType: 'operator', actorId: 'test' } },
  );
  return credentials;
}

export type DPoPKey = { privateKey: CryptoKey; jwk: JWK; jkt: string };

export async function dpopKey(): Promise<DPoPKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

/** An RFC 9449 proof for `htm htu` (and `accessToken`'s ath when given). */
export async function dpopProof(key: DPoPKey, htm: string, htu: string, accessToken?: string, claims: Record<string, unknown> = {}): Promise<string> {
  const ath = accessToken ? Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken))).toString('base64url') : undefined;
  return new SignJWT({ htm, htu, jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ...(ath ? { ath } : {}), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .sign(key.privateKey);
}

/** A client allowed client_credentials for `scopes` (API scopes included). */
export const serviceClient = (server: TestServer, scopes: string[]) =>
  server.createClient({ scope: scopes.join(' '), grant_types: ['client_credentials'] }) as Promise<{ client_id: string; client_secret: string }>;

/** A real client-credentials access token for `resource`, DPoP-bound when `dpop` is given. */
export async function serviceToken(server: TestServer, resource: string, scopes: string[], options: { dpop?: DPoPKey; client?: { client_id: string; client_secret: string } } = {}): Promise<string> {
  const client = options.client ?? (await serviceClient(server, scopes));
  const response = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.dpop ? { dpop: await dpopProof(options.dpop, 'POST', `${server.issuer}/token`) } : {}),
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: scopes.join(' ') }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !body.access_token) throw new Error(`token request failed: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/**
 * A JWT signed with the server's own active key, with whatever header and
 * claims the test wants: the way to reach each claim check behind a valid
 * signature (wrong typ, wrong issuer, expired).
 */
export async function signWithServerKey(server: TestServer, alg: 'RS256' | 'ES256', header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  const { jwks } = await loadSigningKeys({ db: server.db, keyring: server.keyring, maxTokenTtlSeconds: 3600 });
  const { importJWK } = await import('jose');
  // The first key of the alg in the provider's JWKS is the one that signs.
  const jwk = jwks.keys.find((k) => (k as { alg?: string }).alg === alg) as JWK & { kid: string };
  const key = await importJWK(jwk, alg);
  return new SignJWT(claims).setProtectedHeader({ alg, kid: jwk.kid, ...header }).sign(key);
}

/** A fetch that counts requests per URL path (the real network underneath). */
export function countingFetch() {
  const counts = new Map<string, number>();
  const counted: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
    return fetch(input, init);
  };
  return { fetch: counted, count: (path: string) => counts.get(path) ?? 0 };
}
