import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createProof, describeKey, generateKeyPair } from '../src/dpop.ts';

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString());

describe('DPoP proof (RFC 9449)', () => {
  it('is a dpop+jwt signed ES256 by the embedded public key, for this method and URL, with ath and nonce', async () => {
    const key = await describeKey(await generateKeyPair());
    const proof = await createProof(key, 'post', 'https://api.example.com/things?page=2#top', { accessToken: 'the-token', nonce: 'server-nonce' });
    const [h, p, s] = proof.split('.');
    const header = decode(h!);
    const payload = decode(p!);
    expect(header).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) } });
    expect(payload).toEqual({
      jti: expect.stringMatching(/^[\w-]{22}$/),
      htm: 'POST',
      htu: 'https://api.example.com/things',
      iat: expect.any(Number),
      ath: createHash('sha256').update('the-token').digest('base64url'),
      nonce: 'server-nonce',
    });
    expect(Math.abs(payload.iat - Date.now() / 1000)).toBeLessThan(5);
    const publicKey = createPublicKey({ key: header.jwk, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s!, 'base64url'))).toBe(true);
    // The thumbprint the token is bound to (dpop_jkt, cnf.jkt): RFC 7638 over the required members in order.
    const { crv, kty, x, y } = header.jwk;
    expect(key.jkt).toBe(createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url'));
  });

  it('uses a fresh jti per proof and no ath without an access token', async () => {
    const key = await describeKey(await generateKeyPair());
    const [a, b] = await Promise.all([createProof(key, 'GET', 'https://x.example/'), createProof(key, 'GET', 'https://x.example/')]);
    expect(decode(a!.split('.')[1]!).jti).not.toBe(decode(b!.split('.')[1]!).jti);
    expect(decode(a!.split('.')[1]!)).not.toHaveProperty('ath');
  });

  it('keeps the private key non-extractable', async () => {
    const pair = await generateKeyPair();
    expect(pair.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', pair.privateKey)).rejects.toThrow();
  });
});
