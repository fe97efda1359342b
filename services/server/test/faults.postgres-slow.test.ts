import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseOwnServices } from './support/own-services.ts';
import { startSingleReplica, timed, type SingleReplica } from './support/single-replica.ts';
import { startSlowProxy, type SlowProxy } from './support/slow-proxy.ts';

const POOL = 2;
const ACQUIRE_SECONDS = 2;

/**
 * Postgres answering 2 s late (a proxy holds every reply): a burst of
 * requests neither hangs nor piles connections up. The pool stays at
 * LATCHKEY_DB_POOL_MAX, requests that cannot get a connection within
 * LATCHKEY_DB_ACQUIRE_TIMEOUT_SECONDS get a 503, the process stays
 * responsive, and all is well again once the database is fast again.
 */
describe.skipIf(!canUseOwnServices)('faults: Postgres slow', () => {
  let s: SingleReplica;
  let proxy: SlowProxy;
  beforeAll(async () => {
    s = await startSingleReplica({
      databaseUrl: async (pg) => {
        proxy = await startSlowProxy(pg.port);
        return `postgres://postgres@127.0.0.1:${proxy.port}/latchkey`;
      },
      env: { LATCHKEY_DB_POOL_MAX: String(POOL), LATCHKEY_DB_ACQUIRE_TIMEOUT_SECONDS: String(ACQUIRE_SECONDS) },
    });
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
    await proxy?.close();
  });

  it('a burst gets answers within bounded time, 200 or 503, never more connections than the pool', async () => {
    expect((await s.token()).status).toBe(200);
    proxy.setDelay(2_000);

    // Spread over a second: the server writes the tokens asked for in one event-loop turn with one
    // statement (group commit), so twelve requests arriving together may need one connection only.
    // Twelve turns need more than two connections can give within the acquire timeout.
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        new Promise((resolve) => setTimeout(resolve, i * 80)).then(() =>
          timed(async () => {
            const response = await s.token();
            return { status: response.status, body: await response.text() };
          }),
        ),
      ),
    );
    // Meanwhile the process itself answers at once.
    const { ms: liveMs } = await timed(() => fetch(`${s.replica.url}/healthz`));
    const { value: ready, ms: readyMs } = await timed(() => fetch(`${s.replica.url}/readyz`));

    const statuses = burst.map((b) => b.value.status);
    expect(statuses.every((status) => status === 200 || status === 503), statuses.join(',')).toBe(true);
    expect(statuses).toContain(503);
    for (const { value } of burst.filter((b) => b.value.status === 503)) expect(JSON.parse(value.body)).toMatchObject({ error: 'temporarily_unavailable' });
    // Nobody waits much beyond the acquire timeout plus one slow round trip.
    expect(Math.max(...burst.map((b) => b.ms))).toBeLessThan((ACQUIRE_SECONDS + 8) * 1000);
    expect(proxy.peak()).toBeLessThanOrEqual(POOL);
    expect(liveMs).toBeLessThan(500);
    expect(ready.status).toBe(503);
    expect(readyMs).toBeLessThan(3_000);

    proxy.setDelay(0);
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await s.token()).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect((await fetch(`${s.replica.url}/readyz`)).status).toBe(200);
  }, 60_000);
});
