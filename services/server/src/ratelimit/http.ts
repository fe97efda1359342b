import type { ServerResponse } from 'node:http';
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
 * honours X-Forwarded-For only through LATCHKEY_TRUST_PROXY. The provider
 * lane (http/provider-lane.ts) applies the same limit to POST /token.
 */
export function limitTokenEndpoint(limiter: Limiter): RequestHandler {
  return async (req, res, next) => {
    try {
      const verdict = await limiter.consume('token', { ip: req.ip });
      if (verdict.allowed) return next();
      refuseTokenRequest(res, verdict);
    } catch (error) {
      next(error);
    }
  };
}

/** The OAuth-style 429 of the limit above. */
export function refuseTokenRequest(res: ServerResponse, verdict: LimitResult): void {
  const body = JSON.stringify({ error: 'temporarily_unavailable', error_description: `too many requests; retry after ${verdict.retryAfterSeconds} seconds` });
  res.writeHead(429, {
    'Retry-After': String(verdict.retryAfterSeconds),
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
