import type { Knex } from 'knex';

/**
 * OpenTelemetry tracing, on when OTEL_EXPORTER_OTLP_ENDPOINT is set. The SDK
 * and its instrumentations (HTTP server, pg, ioredis) are imported only then,
 * so a server without tracing never pays their start-up cost. Tracing is
 * process-wide (one global tracer provider), so it starts once per process;
 * `latchkey start` starts it before it imports the server.
 */
export type Tracing = {
  /** Spans for queries of a driver without its own instrumentation (embedded PGlite); returns stop(). */
  traceKnex(knex: Knex): () => void;
  /** Sends what is buffered (shutdown, tests). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
};

export type TracingOptions = { endpoint: string; serviceName: string };

let started: Promise<Tracing> | undefined;

export function startTracing(options: TracingOptions): Promise<Tracing> {
  started ??= import('./sdk.ts').then(({ startSdk }) => startSdk(options));
  return started;
}

/** The running tracing, if this process started it. */
export function activeTracing(): Promise<Tracing> | undefined {
  return started;
}
