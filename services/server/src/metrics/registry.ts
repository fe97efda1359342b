import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One Prometheus registry per running server (tests run several servers in
 * one process, so nothing is registered globally). Every label below takes
 * values from a fixed set — route patterns and names, status codes, grant
 * types, method names, limit names — never raw paths or user input, so the
 * number of series stays bounded whatever clients send.
 */
export type Metrics = ReturnType<typeof createMetrics>;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpDuration: new Histogram({
      name: 'latchkey_http_request_duration_seconds',
      help: 'HTTP requests by route (oidc-provider route name or Express route pattern), method and status, with their latency',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    tokensIssued: new Counter({
      name: 'latchkey_tokens_issued_total',
      help: 'Tokens issued at the token endpoint, by grant type and token (access_token, refresh_token, id_token)',
      labelNames: ['grant_type', 'token'] as const,
      registers,
    }),
    tokenErrors: new Counter({
      name: 'latchkey_token_errors_total',
      help: 'Token requests refused by the provider, by grant type and OAuth error code',
      labelNames: ['grant_type', 'error'] as const,
      registers,
    }),
    signIns: new Counter({
      name: 'latchkey_sign_ins_total',
      help: 'Sign-in attempts on the hosted pages, by method (RFC 8176 amr: pwd, otp, hwk, swk, fed, mfa) and outcome (success, failure, rate_limited)',
      labelNames: ['method', 'outcome'] as const,
      registers,
    }),
    rateLimitRefusals: new Counter({
      name: 'latchkey_rate_limit_refusals_total',
      help: 'Requests refused by a named rate limit (LATCHKEY_RATE_LIMITS names)',
      labelNames: ['limit'] as const,
      registers,
    }),
    dbQueryDuration: new Histogram({
      name: 'latchkey_db_query_duration_seconds',
      help: 'Database query latency by operation (select, insert, update, delete, raw …) and outcome (ok, error)',
      labelNames: ['operation', 'outcome'] as const,
      buckets: QUERY_BUCKETS,
      registers,
    }),
    /** Gauges read at scrape time; each collector is set by the module that knows the value. */
    gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect: (gauge: Gauge<L>) => void | Promise<void>): Gauge<L> {
      return new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          this.reset();
          await collect(this);
        },
      });
    },
  };
}
