import type { Db } from '../db/knex.ts';
import { listPublishedSigningKeyRows } from '../db/signing-keys.ts';
import { statusAt } from '../oidc/keys.ts';
import type { Metrics } from './registry.ts';

const READ_TIMEOUT_MS = 2_000;

/**
 * Age of the key that signs, per algorithm, since it became active: an alert
 * on it catches a rotation schedule that stopped. Read from the database at
 * scrape time (one small query); left out of a scrape when the database
 * does not answer in time.
 */
export function observeSigningKeys(db: Db, metrics: Metrics): void {
  metrics.gauge('latchkey_signing_key_age_seconds', 'Seconds since the signing key in use for each algorithm became active', ['alg'], async (gauge) => {
    const now = new Date();
    let timer: NodeJS.Timeout | undefined;
    const rows = await Promise.race([
      listPublishedSigningKeyRows(db.knex, now),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), READ_TIMEOUT_MS))),
    ]).catch(() => undefined).finally(() => clearTimeout(timer));
    const newest = new Map<string, Date>();
    for (const row of rows ?? []) {
      if (statusAt(row, now) !== 'active') continue;
      const at = new Date(row.activates_at);
      const seen = newest.get(row.alg);
      if (!seen || seen < at) newest.set(row.alg, at);
    }
    for (const [alg, at] of newest) gauge.set({ alg }, Math.max(0, (now.getTime() - at.getTime()) / 1000));
  });
}
