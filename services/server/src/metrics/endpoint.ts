import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import type { Config } from '../config/env.ts';
import type { Metrics } from './registry.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * GET /metrics in Prometheus text format. With LATCHKEY_METRICS_TOKEN set a
 * scrape must carry `Authorization: Bearer <token>`; a wrong or missing one
 * is a 401 (compared in constant time).
 */
export function metricsHandler(metrics: Metrics, token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return async (req, res, next) => {
    if (expected) {
      const given = /^Bearer ([\x21-\x7e]+)$/.exec(req.get('authorization') ?? '')?.[1];
      if (!given || !timingSafeEqual(digest(given), expected)) {
        res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('metrics need the bearer token set in LATCHKEY_METRICS_TOKEN\n');
        return;
      }
    }
    try {
      const body = await metrics.registry.metrics();
      res.set('Cache-Control', 'no-store').type(metrics.registry.contentType).send(body);
    } catch (error) {
      next(error);
    }
  };
}

/**
 * Where /metrics is served, by configuration:
 * - LATCHKEY_METRICS_PORT set: on that port only (keep it off the Ingress);
 * - else on the public port, behind LATCHKEY_METRICS_TOKEN when it is set;
 * - with neither, on the public port only outside production (a laptop's
 *   curl works; a production issuer never shows its internals to the internet).
 */
export function publicMetricsHandler(config: Config, metrics: Metrics): RequestHandler | undefined {
  if (config.metrics.port !== undefined) return undefined;
  if (config.metrics.token === undefined && config.env === 'production') return undefined;
  return metricsHandler(metrics, config.metrics.token);
}

export type MetricsServer = { url: string; close: () => Promise<void> };

/** The separate metrics listener: /metrics and nothing else. */
export async function startMetricsServer(options: { metrics: Metrics; token: string | undefined; port: number; host: string }): Promise<MetricsServer> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler(options.metrics, options.token));
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('only /metrics is served here\n');
  });
  // Never a stack trace, here either.
  app.use(((_error, _req, res, _next) => {
    res.status(500).type('text/plain').send('metrics could not be collected\n');
  }) as express.ErrorRequestHandler);
  const server: Server = app.listen(options.port, options.host);
  server.keepAliveTimeout = 5_000;
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
