import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunCluster, startCluster, type Cluster } from './support/cluster.ts';
import { orphanRows, startLoad } from './support/lb-load.ts';

const PASSWORD = 'seven lanterns over harbour';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `kill -9` of one of three replicas while people sign in and apps refresh
 * through HAProxy: no sign-in or refresh fails once the client retries what
 * got no answer (except a refresh whose rotation was saved before the kill:
 * its retry is reuse and ends the grant, as documented), no row points at a
 * grant that was never written, and every refresh token handed out still
 * works afterwards.
 */
describe.skipIf(!canRunCluster)('scale-out: kill -9 of a replica under load', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('loses nothing', async () => {
    const load = startLoad(cluster, { workers: 6, password: PASSWORD });
    await sleep(2_000);
    const victim = cluster.replicas[1]!;
    expect(victim.child.kill('SIGKILL')).toBe(true);
    await victim.stop();
    await sleep(3_000);
    const report = await load.stop();

    expect(report.errors, JSON.stringify({ restarts: report.restarts, retries: report.retryReasons.slice(-12) }, null, 1)).toEqual([]);
    expect(report.signIns).toBeGreaterThan(10);
    expect(report.refreshes).toBeGreaterThan(20);
    // No row refers to a grant that is not there.
    expect(await orphanRows(cluster)).toEqual({ authorization_codes: 0, access_tokens: 0, refresh_tokens: 0 });
    // The only replays are retries of requests whose answer died with the replica (at most one per
    // worker, in flight at the kill): each ended its grant as reuse, and nothing else did.
    expect(report.lostRefreshes).toBeLessThanOrEqual(6);
    const reuses = async (reason: string) =>
      Number((await cluster.knex('audit_events').where({ type: 'grant.revoked' }).whereRaw("data->>'reason' like ?", [reason]).count<{ count: number }[]>({ count: '*' }))[0]!.count);
    expect(await reuses('refresh_token_reuse')).toBe(report.lostRefreshes);
    // A code exchange whose answer was lost is reuse on retry too; its person started again.
    expect(await reuses('%reuse')).toBeLessThanOrEqual(report.lostRefreshes + report.restarts.length);
    // Every token the apps hold still refreshes, on the surviving replicas.
    for (const { user, refreshToken } of report.holders) {
      const next = await user.refresh(refreshToken);
      expect(next.access_token).toBeTruthy();
    }
    // A flow caught by the kill may wait out its dead attempt's claim (up to 30 s) before stop() returns.
  }, 120_000);
});
