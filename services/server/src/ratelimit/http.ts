import type { RequestHandler, Response } from 'express';
import type { Limiter, LimitResult } from './limiter.ts';

/** Sets the standard "come back later" headers on a refused request. */
export function setRetryAfter(res: Response, result: LimitResult): void {
  res.set('Retry-After', String(result.retryAfterSeconds));
}

/**
 * Per-IP limit in front of oidc-provider's token, device authorization and
 * pushed authorization endpoints. It reads no body
 * (the provider parses its own) and takes the address from req.ip, which
 * honours X-Forwarded-For only through LATCHKEY_TRUST_PROXY.
 */
export function limitTokenEndpoint(limiter: Limiter): RequestHandler {
  return async (req, res, next) => {
    try {
      const verdict = await limiter.consume('token', { ip: req.ip });
      if (verdict.allowed) return next();
      setRetryAfter(res, verdict);
      res
        .status(429)
        .set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })
        .json({ error: 'temporarily_unavailable', error_description: `too many requests; retry after ${verdict.retryAfterSeconds} seconds` });
    } catch (error) {
      next(error);
    }
  };
}
