import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { startFlow } from './support/email-code-flow.ts';
import { nextIp, postFrom } from './support/forwarded.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

/**
 * Attack: a guesser fails once at an account (within the pair's free
 * tries), then helpers on other IPs put the account under attack. The
 * stricter delay applies to the guesser's very next attempt, not only after
 * its next recorded failure; the owner on a fresh IP still signs in.
 * (Under attack after 5 failures here, through LATCHKEY_RATE_LIMITS.)
 */
const PASSWORD = 'correct horse battery staple';
const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('an account under attack (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend, env: { LATCHKEY_TRUST_PROXY: 'loopback', LATCHKEY_RATE_LIMITS: 'sign-in.account=5/1h' } });
  });
  afterAll(() => server?.stop());

  it("puts the next attempt of every pair that failed before on the stricter delay at once", async () => {
    const email = `attacked-${process.pid}@example.com`;
    await server.createUser({ email, password_hash: await hashPassword(PASSWORD) });
    const flow = await startFlow(server);
    const signIn = (ip: string, password: string) => postFrom(flow, ip, `/interaction/${flow.uid}/password`, { email, password });

    const guesser = nextIp();
    expect((await signIn(guesser, 'first guess')).status).toBe(401);
    for (let i = 0; i < 5; i += 1) expect((await signIn(nextIp(), `helper guess ${i}`)).status).toBe(401);

    const next = await signIn(guesser, 'second guess');
    expect(next.status).toBe(429);
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThanOrEqual(25);

    const owner = await signIn(nextIp(), PASSWORD);
    expect(owner.status).toBe(303);
  });
});
