import type { RequestListener } from 'node:http';
import type { RequestHandler } from 'express';
import type { Db } from '../db/knex.ts';
import type { Store } from '../store/index.ts';

/**
 * /healthz: the process answers. /readyz: it can reach its database and
 * store. Plain handlers the app mounts as routes of its own (a router of
 * two routes was one more layer for every request to walk).
 */
export function healthHandlers(deps: { db: Db; store: Store }): { healthz: RequestHandler; readyz: RequestHandler } {
  return {
    healthz: (_req, res) => {
      res.json({ status: 'ok' });
    },
    readyz: async (_req, res) => {
      const timeout = <T>(promise: Promise<T>) =>
        Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
      const [database, store] = await Promise.allSettled([
        timeout(deps.db.knex.raw('select 1')),
        timeout(deps.store.ping()),
      ]);
      const checks = { database: database.status === 'fulfilled' ? 'ok' : 'unavailable', store: store.status === 'fulfilled' ? 'ok' : 'unavailable' };
      const ready = checks.database === 'ok' && checks.store === 'ok';
      res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
    },
  };
}

/**
 * Shutdown drain: once `draining` is set, /readyz answers 503 so load
 * balancers stop sending new requests, while everything else is still served
 * (with `Connection: close`, so kept-alive connections end after their
 * current request) until the listener closes.
 */
export function drainable(listener: RequestListener): { listener: RequestListener; drain: () => void; draining: () => boolean } {
  let draining = false;
  return {
    draining: () => draining,
    drain: () => {
      draining = true;
    },
    listener: (req, res) => {
      if (!draining) return listener(req, res);
      res.setHeader('connection', 'close');
      // Every spelling Express would route to the readiness check (trailing slash, any case) is red too.
      if (/^\/readyz\/?(\?|$)/i.test(req.url ?? '')) {
        res.writeHead(503, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ status: 'draining', checks: { shutdown: 'draining' } }));
        return;
      }
      listener(req, res);
    },
  };
}
