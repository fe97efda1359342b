import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateIdToken, type KeySource } from '../src/id-token.ts';

// Tokens signed here with node:crypto, independently of the WebCrypto code under test.
const issuer = 'https://auth.example.com';
const clientId = 'spa';
const now = 1_800_000_000;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = (key: KeyObject, kid: string, alg: string) => ({ ...key.export({ format: 'jwk' }), kid, alg, use: 'sig' }) as JsonWebKey;
const published = [jwk(rsa.publicKey, 'rsa-1', 'RS256'), jwk(ec.publicKey, 'ec-1', 'ES256')];

function token(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'rsa-1' }, key: KeyObject = rsa.privateKey) {
  const input = `${b64({ typ: 'JWT', ...header })}.${b64({ iss: issuer, aud: clientId, sub: 'user-1', iat: now, exp: now + 600, nonce: 'n-1', ...claims })}`;
  const signature = header.alg === 'ES256' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

function keySource(sets: JsonWebKey[][]): KeySource & { fetches: number } {
  const source = Object.assign(async (refresh: boolean) => {
    if (refresh || source.fetches === 0) source.fetches++;
    return sets[Math.min(source.fetches - 1, sets.length - 1)]!;
  }, { fetches: 0 });
  return source;
}

const validate = (idToken: string, overrides: Record<string, unknown> = {}) =>
  validateIdToken(idToken, { issuer, clientId, nonce: 'n-1', keys: keySource([published]), now, ...overrides });
const refused = (why: RegExp) => expect.objectContaining({ code: 'id_token_invalid', message: expect.stringMatching(why) });

describe('ID token validation', () => {
  it('accepts RS256 and ES256 tokens signed by a published key', async () => {
    expect((await validate(token({ email: 'ada@example.com' }))).email).toBe('ada@example.com');
    expect((await validate(token({}, { alg: 'ES256', kid: 'ec-1' }, ec.privateKey))).sub).toBe('user-1');
  });

  it('refuses a changed payload, a foreign key, alg none and HS256', async () => {
    const [header, , signature] = token({}).split('.');
    await expect(validate(`${header}.${b64({ iss: issuer, aud: clientId, sub: 'admin', iat: now, exp: now + 600, nonce: 'n-1' })}.${signature}`)).rejects.toThrow(refused(/signature/));
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect(validate(token({}, { alg: 'RS256', kid: 'rsa-1' }, stranger.privateKey))).rejects.toThrow(refused(/signature/));
    await expect(validate(`${b64({ alg: 'none' })}.${b64({ iss: issuer, aud: clientId, sub: 'x', iat: now, exp: now + 1, nonce: 'n-1' })}.`)).rejects.toThrow(refused(/algorithm/));
    await expect(validate(token({}, { alg: 'HS256', kid: 'rsa-1' }))).rejects.toThrow(refused(/algorithm/));
    // A key published for ES256 does not verify an RS256 token, whatever the kid says.
    await expect(validate(token({}, { alg: 'RS256', kid: 'ec-1' }))).rejects.toThrow(refused(/unknown key/));
  });

  it('fetches the JWKS again once for an unknown kid (the issuer rotated keys)', async () => {
    const rotated = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keys = keySource([published, [...published, jwk(rotated.publicKey, 'rsa-2', 'RS256')]]);
    await expect(validate(token({}, { alg: 'RS256', kid: 'rsa-2' }, rotated.privateKey), { keys })).resolves.toMatchObject({ sub: 'user-1' });
    expect(keys.fetches).toBe(2);
    await expect(validate(token({}, { alg: 'RS256', kid: 'nope' }), { keys: keySource([published]) })).rejects.toThrow(refused(/unknown key/));
  });

  it('refuses another issuer, another audience, a foreign azp, expiry, a future iat, a wrong nonce, another sub', async () => {
    await expect(validate(token({ iss: 'https://evil.example' }))).rejects.toThrow(refused(/issuer/));
    await expect(validate(token({ aud: 'other-app' }))).rejects.toThrow(refused(/another client/));
    await expect(validate(token({ aud: [clientId, 'other-app'] }))).rejects.toThrow(refused(/azp/));
    await expect(validate(token({ aud: [clientId, 'other-app'], azp: 'other-app' }))).rejects.toThrow(refused(/azp/));
    await expect(validate(token({ aud: [clientId, 'other-app'], azp: clientId }))).resolves.toMatchObject({ sub: 'user-1' });
    await expect(validate(token({ exp: now - 61 }))).rejects.toThrow(refused(/expired/));
    await expect(validate(token({ exp: undefined }))).rejects.toThrow(refused(/expired/));
    await expect(validate(token({ iat: now + 3600 }))).rejects.toThrow(refused(/future/));
    await expect(validate(token({ nonce: 'n-2' }))).rejects.toThrow(refused(/nonce/));
    await expect(validate(token({ nonce: undefined }))).rejects.toThrow(refused(/nonce/));
    await expect(validate(token({}), { nonce: undefined, sub: 'user-2' })).rejects.toThrow(refused(/another user/));
  });

  it('refuses garbage as malformed', async () => {
    await expect(validate('not.a.jwt')).rejects.toThrow(refused(/malformed/));
  });
});
