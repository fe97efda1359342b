import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Config } from '../config/env.ts';
import type { Logger } from './logger.ts';

/**
 * Behind a load balancer without LATCHKEY_TRUST_PROXY, every client has the
 * balancer's address: rate limits then count all clients as one IP, and
 * sessions and audit events record the balancer. The first request that
 * carries X-Forwarded-For while no proxy is trusted logs one warning, so the
 * operator notices at the first request instead of at the first lockout.
 */
export function warnUntrustedForwardedFor(config: Pick<Config, 'trustProxy'>, logger: Logger): RequestHandler {
  const check = forwardedForWarning(config, logger);
  return (req, _res, next) => {
    check(req);
    next();
  };
}

// Loggers that have given the warning: the app and the provider lane each check, and it is said once.
const warnedBy = new WeakSet<Logger>();

/** The check above for any request (the provider lane's too); warns once per logger. */
export function forwardedForWarning(config: Pick<Config, 'trustProxy'>, logger: Logger): (req: IncomingMessage) => void {
  if (config.trustProxy !== false) return () => {};
  return (req) => {
    if (!warnedBy.has(logger) && req.headers['x-forwarded-for'] !== undefined) {
      warnedBy.add(logger);
      logger.warn(
        { from: req.socket.remoteAddress },
        'request with X-Forwarded-For but LATCHKEY_TRUST_PROXY is not set: the header is ignored, so rate limits and audit records see the proxy as the client. Behind a load balancer, set LATCHKEY_TRUST_PROXY to its address(es).',
      );
    }
  };
}
