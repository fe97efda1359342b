import { decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateKeys } from '../../../services/server/src/keys/manage.ts';
import { realRedisUrl } from '../../../services/server/test/support/backends.ts';
import { runCli } from '../../../services/server/test/support/process.ts';
import { createVerifier } from '../src/index.ts';
import { countingFetch, registerApi, serviceClient, serviceToken, startLatchkey, type TestServer } from './support.ts';

/**
 * Attack on availability and on the issuer: a verifier that fetches the JWKS
 * per request (or per forged kid) lets anyone flood Latchkey, and one that
 * never refetches breaks at the first key rotation. Proved: one JWKS fetch
 * for any number of tokens, exactly one more after `keys rotate --now`, old
 * tokens still verify, and forged kids within the cooldown fetch nothing.
 */
describe('JWKS caching across a key rotation', () => {
  let server: TestServer;
  const api = 'https://rotating.api.example.com';

  beforeAll(async () => {
    server = await startLatchkey();
    await registerApi(server, api, ['read:things']);
  });
  afterAll(() => server?.stop());

  /** `latchkey keys rotate --now`: the CLI on a real database (replicas hear it over Redis), else the same service on the server's store. */
  async function rotateNow() {
    if (server.databaseUrl && realRedisUrl) {
      const result = await runCli(['--json', 'keys', 'rotate', '--now'], { DATABASE_URL: server.databaseUrl, REDIS_URL: realRedisUrl, NODE_ENV: 'test', LATCHKEY_SECRETS: server.secrets });
      if (result.code === 0) return;
      throw new Error(result.stderr);
    }
    await rotateKeys({ db: server.db, keyring: server.keyring, store: server.store }, { actor: { actorType: 'operator', actorId: 'test' }, immediate: true });
  }

  it('one fetch for many tokens, one more after keys rotate --now, none for forged kids in the cooldown', async () => {
    const counter = countingFetch();
    const verifier = createVerifier({ issuer: server.issuer, audience: api, fetch: counter.fetch });
    const client = await serviceClient(server, ['read:things']);
    const before = await serviceToken(server, api, ['read:things'], { client });

    // Parallel first verifications share one discovery and one JWKS fetch.
    await Promise.all(Array.from({ length: 10 }, () => verifier.verify(before)));
    for (let i = 0; i < 20; i++) await verifier.verify(before);
    expect(counter.count('/jwks')).toBe(1);
    expect(counter.count('/.well-known/openid-configuration')).toBe(1);

    const oldKid = decodeProtectedHeader(before).kid;
    await rotateNow();
    // The server reloads its keys on the change event; wait until it signs with the new key.
    let after = before;
    for (let i = 0; i < 100 && decodeProtectedHeader(after).kid === oldKid; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await serviceToken(server, api, ['read:things'], { client });
    }
    expect(decodeProtectedHeader(after).kid).not.toBe(oldKid);

    await Promise.all(Array.from({ length: 10 }, () => verifier.verify(after)));
    await verifier.verify(before);
    expect(counter.count('/jwks')).toBe(2);

    // Forged kids right after: the cooldown holds, nothing is fetched, each is refused.
    const { privateKey } = await generateKeyPair('RS256');
    for (let i = 0; i < 5; i++) {
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({ iss: server.issuer, aud: api, sub: 's', client_id: 'c', iat: now, exp: now + 60 })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: `forged-${i}` })
        .sign(privateKey);
      await expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'unknown_key' });
    }
    expect(counter.count('/jwks')).toBe(2);
  });

  it('an unknown kid refetches at most once per cooldown', async () => {
    const counter = countingFetch();
    let clock = Date.now();
    const verifier = createVerifier({ issuer: server.issuer, audience: api, fetch: counter.fetch, jwksCooldown: 30, now: () => clock });
    await verifier.verify(await serviceToken(server, api, ['read:things']));
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const kid = JSON.stringify(await exportJWK(publicKey)).slice(10, 30);
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey);
    // Parallel unknown kids share one refetch; then the cooldown holds.
    await Promise.all(Array.from({ length: 5 }, () => expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'unknown_key' })));
    expect(counter.count('/jwks')).toBe(2);
    clock += 20_000;
    for (let i = 0; i < 5; i++) await expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'unknown_key' });
    expect(counter.count('/jwks')).toBe(2);
    // Past the cooldown: one more.
    clock += 11_000;
    await Promise.all(Array.from({ length: 5 }, () => expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'unknown_key' })));
    expect(counter.count('/jwks')).toBe(3);
  });
});
