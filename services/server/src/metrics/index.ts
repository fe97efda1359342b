import type { Db } from '../db/knex.ts';
import type { Store } from '../store/index.ts';
import { observeDb } from './db.ts';
import { observeSigningKeys } from './keys.ts';
import type { Metrics } from './registry.ts';
import { observeStore } from './store.ts';

export { countRefusals } from './limiter.ts';
export { publicMetricsHandler, startMetricsServer, type MetricsServer } from './endpoint.ts';
export { requestMetrics } from './http.ts';
export { observeProvider } from './oidc.ts';
export { createMetrics, type Metrics } from './registry.ts';

/** The database, store and signing-key gauges and query timings of one server; returns stop(). */
export function observeBackends(metrics: Metrics, deps: { db: Db; store: Store }): () => void {
  const stopDb = observeDb(deps.db, metrics);
  observeStore(deps.store, metrics);
  observeSigningKeys(deps.db, metrics);
  return stopDb;
}
