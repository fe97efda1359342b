import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlow } from './support/email-code-flow.ts';
import { nextIp, postFrom } from './support/forwarded.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

/**
 * Attack: 300 wrong passwords at once from one IP, each at a different
 * account, so no (account, IP) pair is ever busy. Every attempt is reserved
 * against the per-IP budget before it is evaluated, so no more than the
 * budget (shrunk to 20 here through LATCHKEY_RATE_LIMITS) get a verdict.
 */
const BUDGET = 20;
const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('parallel wrong passwords from one IP (%s)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend, env: { LATCHKEY_TRUST_PROXY: 'loopback', LATCHKEY_RATE_LIMITS: `sign-in.ip=${BUDGET}/1h` } });
  });
  afterAll(() => server?.stop());

  it(`300 at once get at most ${BUDGET} evaluated; the rest answer 429`, async () => {
    const flow = await startFlow(server);
    const attacker = nextIp();
    const responses = await Promise.all(
      Array.from({ length: 300 }, async (_, i) => {
        const response = await postFrom(flow, attacker, `/interaction/${flow.uid}/password`, { email: `spray-${i}@example.com`, password: `guess number ${i}` });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    const evaluated = responses.filter((status) => status === 401).length;
    expect(evaluated).toBeGreaterThan(0);
    expect(evaluated).toBeLessThanOrEqual(BUDGET);
    expect(responses.filter((status) => status === 429)).toHaveLength(300 - evaluated);
    // The audit log agrees: only evaluated attempts were recorded as failures.
    const recorded = await server.db.knex('audit_events').where({ type: 'sign_in.failure', ip: attacker }).count<{ count: string }[]>('* as count');
    expect(Number(recorded[0]!.count)).toBeLessThanOrEqual(BUDGET);
  });
});
