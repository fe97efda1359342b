import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startFlow } from './support/email-code-flow.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Starting a passkey ceremony writes a challenge row, and the options route
 * takes no credentials: the 'flow-start' limit caps how many one IP may
 * start (here 3 per hour), so a script cannot fill the table.
 */
describe('flow-start limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_RATE_LIMITS: 'flow-start.ip=3/1h' } });
  }, 60_000);
  afterAll(() => server?.stop());

  it('refuses the fourth passkey ceremony from one IP with 429 JSON and Retry-After, writing no challenge', async () => {
    const flow = await startFlow(server);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await post(flow, `/interaction/${flow.uid}/passkey/options`, {});
      statuses.push(answer.status);
      await answer.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200]);
    const before = Number((await server.db.knex('webauthn_challenges').count({ n: '*' }).first())!.n);
    const refused = await post(flow, `/interaction/${flow.uid}/passkey/options`, {});
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: 'rate_limited' });
    expect(Number((await server.db.knex('webauthn_challenges').count({ n: '*' }).first())!.n)).toBe(before);
  });
});
