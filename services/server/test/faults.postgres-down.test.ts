import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseOwnServices } from './support/own-services.ts';
import { startSingleReplica, timed, type SingleReplica } from './support/single-replica.ts';

/**
 * Postgres stopped under a running replica: requests that need it fail fast
 * with a retryable 503 (no hang, no 500, no stack trace), /readyz turns red,
 * and when Postgres is back the same process serves again.
 */
describe.skipIf(!canUseOwnServices)('faults: Postgres stopped mid-flow', () => {
  let s: SingleReplica;
  beforeAll(async () => {
    s = await startSingleReplica();
  }, 60_000);
  afterAll(() => s?.stop());

  it('fast 503 and /readyz red while it is down; recovery without a restart', async () => {
    expect((await s.token()).status).toBe(200);
    await s.pg.stop();

    for (let i = 0; i < 3; i += 1) {
      const { value: response, ms } = await timed(() => s.token());
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      const body = await response.text();
      expect(JSON.parse(body)).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
      expect(body).not.toMatch(/ECONNREFUSED|at .*\.ts|stack/i);
      expect(ms).toBeLessThan(2_000);
    }
    const { value: ready, ms } = await timed(() => fetch(`${s.replica.url}/readyz`));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { database: 'unavailable', store: 'ok' } });
    expect(ms).toBeLessThan(2_500);
    expect((await fetch(`${s.replica.url}/healthz`)).status).toBe(200);

    await s.pg.start();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await s.token()).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect((await fetch(`${s.replica.url}/readyz`)).status).toBe(200);
    expect(s.replica.child.exitCode).toBeNull();
  }, 40_000);
});
