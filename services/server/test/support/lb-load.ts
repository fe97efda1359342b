import type { Cluster } from './cluster.ts';
import { LbUser } from './lb-flow.ts';

export type LoadReport = { signIns: number; refreshes: number; retries: number; retryReasons: string[]; errors: string[]; statuses: Map<number, number>; holders: Array<{ user: LbUser; refreshToken: string }> };

/**
 * A bounded load through the load balancer: `workers` loops, each signing a
 * new person in and refreshing their tokens a few times, until `stop()`.
 * Every failure is kept (after the client's own retries) for the test to judge.
 */
export function startLoad(cluster: Cluster, options: { workers: number; password: string; refreshesPerSignIn?: number }) {
  const report: LoadReport = { signIns: 0, refreshes: 0, retries: 0, retryReasons: [], errors: [], statuses: new Map(), holders: [] };
  let stopped = false;
  const worker = async () => {
    const client = await cluster.createClient({ first_party: true });
    while (!stopped) {
      const person = await cluster.createUser(options.password);
      const user = new LbUser(cluster.issuer, client);
      try {
        let tokens = await user.signIn(person.email, options.password);
        report.signIns += 1;
        for (let i = 0; i < (options.refreshesPerSignIn ?? 3) && !stopped; i += 1) {
          tokens = await user.refresh(tokens.refresh_token!);
          report.refreshes += 1;
        }
        report.holders.push({ user, refreshToken: tokens.refresh_token! });
      } catch (error) {
        report.errors.push(String(error));
      } finally {
        report.retries += user.retries;
        report.retryReasons.push(...user.retryReasons);
        for (const hop of user.hops) report.statuses.set(hop.status, (report.statuses.get(hop.status) ?? 0) + 1);
      }
    }
  };
  const running = Promise.all(Array.from({ length: options.workers }, worker));
  return {
    report,
    async stop(): Promise<LoadReport> {
      stopped = true;
      await running;
      return report;
    },
  };
}

/** Rows that point at a grant that is not there: what a half-written grant would leave. */
export async function orphanRows(cluster: Cluster): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['authorization_codes', 'access_tokens', 'refresh_tokens']) {
    const { rows } = (await cluster.knex.raw(
      `select count(*)::int as n from ${table} t where t.grant_id is not null and not exists (select 1 from grants g where g.id = t.grant_id)`,
    )) as { rows: Array<{ n: number }> };
    out[table] = rows[0]!.n;
  }
  return out;
}
