import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Metrics } from './registry.ts';
import { methodOf, routeOf } from './route.ts';

/** Times every request and counts it by route, method and status once the response is done. */
export function requestMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const done = () => {
      res.off('finish', done);
      res.off('close', done);
      observeRequest(metrics, req, res, started);
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}

/** Counts one request that ended (finished, or closed before its answer was sent). */
export function observeRequest(metrics: Metrics, req: IncomingMessage, res: ServerResponse, started: bigint): void {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // A client that hung up before the answer was sent is counted as such, not as a 200.
  const status = res.writableFinished ? String(res.statusCode) : 'aborted';
  metrics.httpDuration.observe({ route: routeOf(req), method: methodOf(req), status }, seconds);
}
