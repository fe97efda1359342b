import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, DPoPError, type Verifier } from '../src/index.ts';
import { dpopKey, dpopProof, registerApi, serviceToken, startLatchkey, type DPoPKey, type TestServer } from './support.ts';

/**
 * Attack: a stolen DPoP-bound access token is used without its key — sent
 * as a plain Bearer token, with no proof, with a proof from the thief's own
 * key, with the victim's proof for another request, or with a proof
 * replayed. Each is refused with DPoPError; only a fresh proof by the bound
 * key for this very request passes.
 */
describe('DPoP-bound tokens (RFC 9449)', () => {
  let server: TestServer;
  let verifier: Verifier;
  let key: DPoPKey;
  let token: string;
  const api = 'https://dpop.api.example.com';
  const url = 'https://dpop.api.example.com/things?page=2';

  beforeAll(async () => {
    server = await startLatchkey();
    await registerApi(server, api, ['read:things']);
    verifier = createVerifier({ issuer: server.issuer, audience: api });
    key = await dpopKey();
    token = await serviceToken(server, api, ['read:things'], { dpop: key });
  });
  afterAll(() => server?.stop());

  const reason = async (header: string, dpop: string | string[] | undefined, method = 'GET', at = url) => {
    const error = await verifier.verify(header, { request: { method, url: at, dpop } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DPoPError);
    return (error as DPoPError).reason;
  };

  it('the token is bound to the key, and a fresh proof for this request passes', async () => {
    const proof = await dpopProof(key, 'GET', 'https://dpop.api.example.com/things', token);
    const claims = await verifier.verify(`DPoP ${token}`, { request: { method: 'GET', url, dpop: proof } });
    expect(claims.cnf?.jkt).toBe(key.jkt);
  });

  it('a replayed proof is refused', async () => {
    const proof = await dpopProof(key, 'GET', 'https://dpop.api.example.com/things', token);
    await verifier.verify(`DPoP ${token}`, { request: { method: 'GET', url, dpop: proof } });
    expect(await reason(`DPoP ${token}`, proof)).toBe('proof_replayed');
  });

  it('a replayed proof is refused by another verifier sharing the replay store', async () => {
    const { memoryReplayStore } = await import('../src/index.ts');
    const replayStore = memoryReplayStore();
    const a = createVerifier({ issuer: server.issuer, audience: api, dpop: { replayStore } });
    const b = createVerifier({ issuer: server.issuer, audience: api, dpop: { replayStore } });
    const proof = await dpopProof(key, 'GET', url, token);
    await a.verify(`DPoP ${token}`, { request: { method: 'GET', url, dpop: proof } });
    await expect(b.verify(`DPoP ${token}`, { request: { method: 'GET', url, dpop: proof } })).rejects.toMatchObject({ reason: 'proof_replayed' });
  });

  it('sent as a Bearer token, or without a proof: refused', async () => {
    expect(await reason(`Bearer ${token}`, await dpopProof(key, 'GET', url, token))).toBe('bearer_scheme');
    expect(await reason(`DPoP ${token}`, undefined)).toBe('proof_missing');
    // A bare token with no request to check against is refused too.
    await expect(verifier.verify(token)).rejects.toMatchObject({ name: 'DPoPError', reason: 'proof_missing' });
  });

  it('a proof by another key (the thief\'s) is refused', async () => {
    const thief = await dpopKey();
    expect(await reason(`DPoP ${token}`, await dpopProof(thief, 'GET', url, token))).toBe('key_mismatch');
  });

  it('a proof for another method, URL or token, or a stale one, is refused', async () => {
    expect(await reason(`DPoP ${token}`, await dpopProof(key, 'POST', url, token))).toBe('request_mismatch');
    expect(await reason(`DPoP ${token}`, await dpopProof(key, 'GET', 'https://dpop.api.example.com/admin', token))).toBe('request_mismatch');
    expect(await reason(`DPoP ${token}`, await dpopProof(key, 'GET', url, 'another-token'))).toBe('token_mismatch');
    expect(await reason(`DPoP ${token}`, await dpopProof(key, 'GET', url, token, { iat: Math.floor(Date.now() / 1000) - 600 }))).toBe('stale');
    expect(await reason(`DPoP ${token}`, [await dpopProof(key, 'GET', url, token), await dpopProof(key, 'GET', url, token)])).toBe('proof_invalid');
    expect(await reason(`DPoP ${token}`, 'not.a.proof')).toBe('proof_invalid');
  });

  it('the DPoP scheme with a token that is not bound is refused', async () => {
    const bearer = await serviceToken(server, api, ['read:things']);
    expect(await reason(`DPoP ${bearer}`, await dpopProof(key, 'GET', url, bearer))).toBe('not_bound');
  });
});
