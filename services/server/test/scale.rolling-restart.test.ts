import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunCluster, startCluster, type Cluster } from './support/cluster.ts';
import { startLoad } from './support/lb-load.ts';

const PASSWORD = 'quiet meadow under snow';
const DRAIN = { LATCHKEY_SHUTDOWN_DRAIN_SECONDS: '2' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A rolling restart of three replicas behind HAProxy while people sign in
 * and refresh: SIGTERM first turns /readyz red while the replica still
 * serves (the balancer stops sending it work), then the listener closes.
 */
describe.skipIf(!canRunCluster)('scale-out: rolling restart under load', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ env: DRAIN });
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('SIGTERM: /readyz answers 503 while requests are still served, then the process exits cleanly', async () => {
    const replica = cluster.replicas[2]!;
    const exited = replica.stop('SIGTERM');
    await sleep(200);
    const ready = await fetch(`${replica.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'draining' });
    // Still serving everything else during the drain.
    expect((await fetch(`${replica.url}/.well-known/openid-configuration`)).status).toBe(200);
    expect(await exited).toBe(0);
    await cluster.startReplica(2, DRAIN);
  }, 30_000);

  it('no request fails while each replica in turn is stopped and started again', async () => {
    const load = startLoad(cluster, { workers: 3, password: PASSWORD });
    await sleep(1_000);
    for (let i = 0; i < cluster.replicas.length; i += 1) {
      expect(await cluster.replicas[i]!.stop('SIGTERM')).toBe(0);
      await cluster.startReplica(i, DRAIN);
      // Back in the pool once HAProxy's check sees it ready.
      await sleep(500);
    }
    const report = await load.stop();
    expect(report.errors).toEqual([]);
    // Not even a retryable error reached a client: the balancer never sent work to a stopping replica.
    expect([...report.statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect(report.retryReasons).toEqual([]);
    expect(report.signIns).toBeGreaterThan(5);
  }, 60_000);
});
