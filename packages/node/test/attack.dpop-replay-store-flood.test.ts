import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, DPoPError, memoryReplayStore, type Verifier } from '../src/index.ts';
import { dpopKey, dpopProof, registerApi, serviceToken, startLatchkey, type TestServer } from './support.ts';

/**
 * Attack: the in-memory replay store is bounded. An attacker with a bound
 * token of their own mints as many fresh proofs as the store holds, pushing
 * the victim's still-fresh proof out of it, then replays the victim's
 * captured token + proof. The store must never forget a proof that could
 * still be replayed: when it is full of live entries, a new proof is refused.
 * (The bound is shrunk through the store's `max` option.)
 */
describe('a flood of fresh DPoP proofs does not evict a victim proof from the replay store', () => {
  let server: TestServer;
  let verifier: Verifier;
  const api = 'https://flood.api.example.com';
  const url = 'https://flood.api.example.com/things';

  beforeAll(async () => {
    server = await startLatchkey();
    await registerApi(server, api, ['read:things']);
    verifier = createVerifier({ issuer: server.issuer, audience: api, dpop: { replayStore: memoryReplayStore({ max: 3 }) } });
  });
  afterAll(() => server?.stop());

  const check = (token: string, proof: string) => verifier.verify(`DPoP ${token}`, { request: { method: 'GET', url, dpop: proof } });

  it('the captured proof stays refused after the attacker fills the store', async () => {
    const victimKey = await dpopKey();
    const victimToken = await serviceToken(server, api, ['read:things'], { dpop: victimKey });
    const victimProof = await dpopProof(victimKey, 'GET', url, victimToken);
    await check(victimToken, victimProof); // the victim's own call

    const attackerKey = await dpopKey();
    const attackerToken = await serviceToken(server, api, ['read:things'], { dpop: attackerKey });
    for (let i = 0; i < 5; i++) await check(attackerToken, await dpopProof(attackerKey, 'GET', url, attackerToken)).catch(() => undefined);

    const replayed = await check(victimToken, victimProof).catch((e: unknown) => e);
    expect(replayed, 'the replayed proof was accepted').toBeInstanceOf(DPoPError);
    expect((replayed as DPoPError).reason).toBe('proof_replayed');
  });
});
