import { createPrivateKey, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSigningKeys } from '../../../services/server/src/oidc/keys.ts';
import { createVerifier, InvalidTokenError, type Verifier } from '../src/index.ts';
import { registerApi, signWithServerKey, startLatchkey, type TestServer } from './support.ts';

// jose will not sign a crit it does not know either: sign by hand with the server's RS256 key.
async function signWithCrit(server: TestServer, header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  const { jwks } = await loadSigningKeys({ db: server.db, keyring: server.keyring, maxTokenTtlSeconds: 3600 });
  const jwk = jwks.keys.find((k) => (k as { alg?: string }).alg === 'RS256') as Record<string, unknown> & { kid: string };
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', kid: jwk.kid, ...header })}.${part(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), createPrivateKey({ key: jwk as never, format: 'jwk' })).toString('base64url')}`;
}

/**
 * Attack: a JWT whose `crit` header names an extension the verifier does
 * not understand (RFC 7515 §4.1.11: the recipient MUST then reject it) is
 * taken as a plain access token, ignoring a condition its signer declared
 * critical. Signed by the issuer's real key, so only `crit` is wrong.
 */
describe('createVerifier refuses critical header parameters it does not understand', () => {
  let server: TestServer;
  let verifier: Verifier;
  const api = 'https://crit.api.example.com';

  beforeAll(async () => {
    server = await startLatchkey();
    await registerApi(server, api, ['read:things']);
    verifier = createVerifier({ issuer: server.issuer, audience: api });
  });
  afterAll(() => server?.stop());

  const claims = () => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: server.issuer, aud: api, sub: 'user-1', client_id: 'c1', scope: 'read:things', iat: now, exp: now + 600 };
  };

  it('a token with crit is refused; the same token without crit passes', async () => {
    const plain = await signWithServerKey(server, 'RS256', { typ: 'at+jwt' }, claims());
    expect((await verifier.verify(plain)).sub).toBe('user-1');

    const critical = await signWithCrit(server, { typ: 'at+jwt', crit: ['urn:example:bound-to-device'], 'urn:example:bound-to-device': true }, claims());
    const error = await verifier.verify(critical).catch((e: unknown) => e);
    expect(error, 'the token was accepted').toBeInstanceOf(InvalidTokenError);
    expect((error as InvalidTokenError).reason).toBe('malformed');
  });
});
