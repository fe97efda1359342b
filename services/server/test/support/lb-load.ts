import type { Cluster } from './cluster.ts';
import { LbUser } from './lb-flow.ts';

export type LoadReport = { signIns: number; refreshes: number; retries: number; retryReasons: string[]; restarts: string[]; lostRefreshes: number; errors: string[]; statuses: Map<number, number>; holders: Array<{ user: LbUser; refreshToken: string }> };

/**
 * A bounded load through the load balancer: `workers` loops, each signing a
 * new person in and refreshing their tokens a few times, until `stop()`.
 * Every failure is kept (after the client's own retries) for the test to judge.
 */
export function startLoad(cluster: Cluster, options: { workers: number; password: string; refreshesPerSignIn?: number }) {
  const report: LoadReport = { signIns: 0, refreshes: 0, retries: 0, retryReasons: [], restarts: [], lostRefreshes: 0, errors: [], statuses: new Map(), holders: [] };
  let stopped = false;
  const worker = async () => {
    const client = await cluster.createClient({ first_party: true });
    while (!stopped) {
      const person = await cluster.createUser(options.password);
      let user = new LbUser(cluster.issuer, client);
      try {
        const retriesBefore = user.retries;
        let tokens;
        try {
          tokens = await user.signIn(person.email, options.password);
        } catch (error) {
          if (user.retries === retriesBefore) throw error;
          // A step whose answer was lost with a killed replica, retried, can find its one-time
          // interaction already used (the resume ran, the code never arrived): a person starts the
          // sign-in again. Only data loss is an error; a second failure still is one.
          report.restarts.push(String(error).slice(0, 200));
          // In a fresh browser: the first attempt may have signed this one in, so its next sign-in
          // would skip the password page.
          report.retries += user.retries;
          report.retryReasons.push(...user.retryReasons);
          user = new LbUser(cluster.issuer, client);
          tokens = await user.signIn(person.email, options.password);
        }
        report.signIns += 1;
        let lost = false;
        for (let i = 0; i < (options.refreshesPerSignIn ?? 3) && !stopped && !lost; i += 1) {
          const before = user.retries;
          try {
            tokens = await user.refresh(tokens.refresh_token!);
            report.refreshes += 1;
          } catch (error) {
            // A replica that saved the rotation and died before answering: the retry presents a used
            // refresh token, which is reuse under strict rotation (no grace period), so the grant ends
            // (docs/operations.md). Counted apart; any other failure is an error.
            if (user.retries === before || !/invalid_grant/.test(String(error))) throw error;
            report.lostRefreshes += 1;
            lost = true;
          }
        }
        if (!lost) report.holders.push({ user, refreshToken: tokens.refresh_token! });
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
