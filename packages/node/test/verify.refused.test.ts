import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, InsufficientScopeError, InvalidTokenError, type Verifier } from '../src/index.ts';
import { registerApi, serviceToken, signWithServerKey, startLatchkey, type TestServer } from './support.ts';

/**
 * Attack: a token that is not a good access token for this API is taken as
 * one — signed by a key the issuer never published, tampered with, meant for
 * another API, from another issuer, an ID token or other JWT from the same
 * keys, expired, or carrying fewer scopes than the route needs. Each is
 * refused with its own reason; a real token passes with typed claims.
 */
describe('createVerifier refuses what is not a valid access token for this API', () => {
  let server: TestServer;
  let verifier: Verifier;
  const api = 'https://things.api.example.com';
  const otherApi = 'https://other.api.example.com';
  const esApi = 'https://es.api.example.com';

  beforeAll(async () => {
    server = await startLatchkey();
    await registerApi(server, api, ['read:things', 'write:things']);
    await registerApi(server, otherApi, ['read:things']);
    await registerApi(server, esApi, ['read:things'], 'ES256');
    verifier = createVerifier({ issuer: server.issuer, audience: api });
  });
  afterAll(() => server?.stop());

  const refusal = async (token: string, scopes?: string[]) => {
    const error = await verifier.verify(token, { scopes }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, 'the token was accepted').toBeInstanceOf(Error);
    return error as InvalidTokenError;
  };

  const claims = () => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: server.issuer, aud: api, sub: 'user-1', client_id: 'c1', scope: 'read:things', iat: now, exp: now + 600, jti: 'j1' };
  };

  it('accepts a real token for this API (RS256 and ES256) and types its claims', async () => {
    const token = await serviceToken(server, api, ['read:things', 'write:things']);
    const verified = await verifier.verify(`Bearer ${token}`, { scopes: ['read:things'] });
    expect(verified.iss).toBe(server.issuer);
    expect(verified.aud).toEqual([api]);
    expect(verified.scope.sort()).toEqual(['read:things', 'write:things']);
    expect(verified.client_id).toBeTypeOf('string');
    expect(verified.exp).toBeGreaterThan(Date.now() / 1000);

    const es = createVerifier({ issuer: server.issuer, audience: esApi });
    expect((await es.verify(await serviceToken(server, esApi, ['read:things']))).scope).toEqual(['read:things']);
  });

  it('a token signed by a key the issuer does not publish: unknown_key', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = (await exportJWK(publicKey)).n!.slice(0, 16);
    const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(privateKey);
    const error = await refusal(forged);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.reason).toBe('unknown_key');
    expect(error.status).toBe(401);
  });

  it('a real token whose payload was changed: bad_signature', async () => {
    const token = await serviceToken(server, api, ['read:things']);
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.scope = 'read:things write:things';
    const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    expect((await refusal(tampered)).reason).toBe('bad_signature');
    // The alg swapped for one the key cannot check: refused too.
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${p}.`;
    expect((await refusal(none)).reason).toBe('unsupported_algorithm');
  });

  it('a real token for another API: wrong_audience', async () => {
    const token = await serviceToken(server, otherApi, ['read:things']);
    expect((await refusal(token)).reason).toBe('wrong_audience');
  });

  it('a JWT from the same keys that is not an access token (typ JWT, or none): wrong_type', async () => {
    expect((await refusal(await signWithServerKey(server, 'RS256', { typ: 'JWT' }, claims()))).reason).toBe('wrong_type');
    expect((await refusal(await signWithServerKey(server, 'ES256', {}, claims()))).reason).toBe('wrong_type');
  });

  it('a token naming another issuer: wrong_issuer', async () => {
    const token = await signWithServerKey(server, 'RS256', { typ: 'at+jwt' }, { ...claims(), iss: 'https://evil.example.com' });
    expect((await refusal(token)).reason).toBe('wrong_issuer');
  });

  it('an expired token: expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await signWithServerKey(server, 'ES256', { typ: 'at+jwt' }, { ...claims(), iat: now - 700, exp: now - 60 });
    expect((await refusal(token)).reason).toBe('expired');
    // A real token, once its lifetime is over on the API's clock.
    const real = await serviceToken(server, api, ['read:things']);
    const later = createVerifier({ issuer: server.issuer, audience: api, now: () => Date.now() + 3 * 3600_000 });
    const error = await later.verify(real).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidTokenError', reason: 'expired' });
  });

  it('a real token missing a scope the route needs: InsufficientScopeError (403)', async () => {
    const token = await serviceToken(server, api, ['read:things']);
    const error = (await refusal(token, ['read:things', 'write:things'])) as unknown as InsufficientScopeError;
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error.status).toBe(403);
    expect(error.missing).toEqual(['write:things']);
  });

  it('garbage and empty input: malformed or missing, never a crash', async () => {
    expect((await refusal('')).reason).toBe('missing');
    expect((await refusal('Bearer not-a-jwt')).reason).toBe('malformed');
    expect((await refusal('a.b.c')).reason).toBe('malformed');
    expect((await refusal('Bearer a b')).reason).toBe('malformed');
  });
});
