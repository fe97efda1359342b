import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunCluster, startCluster, type Cluster } from './support/cluster.ts';
import { LbUser } from './support/lb-flow.ts';

const PASSWORD = 'violet kettle on the stair';

/**
 * Three replicas behind HAProxy (round robin): a sign-in whose every step —
 * authorization request, password page, password POST, resume, consent page,
 * Allow, resume, code exchange, refresh, userinfo — lands on a different
 * replica than the step before it. Works only if nothing of the flow
 * (interaction, session, CSRF, code, grant) lives in one process.
 */
describe.skipIf(!canRunCluster)('scale-out: a sign-in across three replicas', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('every step on another replica, and the tokens work on all of them', async () => {
    const client = await cluster.createClient();
    const person = await cluster.createUser(PASSWORD);
    const user = new LbUser(cluster.issuer, client);
    const tokens = await user.signIn(person.email, PASSWORD);
    const refreshed = await user.refresh(tokens.refresh_token!);
    const claims = await user.userinfo(refreshed.access_token);
    expect(claims.sub).toBe(person.id);

    expect(user.retries).toBe(0);
    const replicas = user.hops.map((h) => h.replica);
    expect(user.hops.length).toBeGreaterThanOrEqual(10);
    expect(new Set(replicas)).toEqual(new Set(['r0', 'r1', 'r2']));
    for (let i = 1; i < replicas.length; i += 1) expect(replicas[i], `step ${i} ${user.hops[i]!.path}`).not.toBe(replicas[i - 1]);
  });
});
