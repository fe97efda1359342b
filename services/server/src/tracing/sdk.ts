import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Tracing, TracingOptions } from './index.ts';
import { traceKnexQueries } from './knex.ts';
import { nameServerSpan, skipIncoming } from './server-spans.ts';

export function startSdk(options: TracingOptions): Tracing {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/$/, '')}/v1/traces` }),
        scheduledDelayMillis: 1000,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);

  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        // Nothing of ours calls out through node:http (webhooks and social login use fetch).
        disableOutgoingRequestInstrumentation: true,
        ignoreIncomingRequestHook: skipIncoming,
        applyCustomAttributesOnSpan: nameServerSpan,
      }),
      // Statements are recorded with their placeholders, never their values.
      // Only under a request: the background jobs' polling would bury it.
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      // Keys and values may be session ids or flow state: the command name only.
      new IORedisInstrumentation({ dbStatementSerializer: (command) => command, requireParentSpan: true }),
    ],
  });
  // The instrumentations patch a module when it is require()d after this
  // point; the server imports pg and ioredis as ES modules, which bypass
  // that hook. Requiring them once here patches their shared prototypes
  // (Client#query, Redis#sendCommand, http.Server#emit) for every importer,
  // whenever it was imported.
  const require = createRequire(import.meta.url);
  for (const name of ['http', 'https', 'pg', 'ioredis']) require(name);

  const tracer = trace.getTracer('latchkey');
  return {
    traceKnex: (knex) => traceKnexQueries(knex, tracer),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
