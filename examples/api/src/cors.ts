import type { RequestHandler } from 'express';

/**
 * CORS for the SPA's origins only. Browsers preflight calls that carry
 * `Authorization` and `DPoP`; the API reads `WWW-Authenticate` and
 * `DPoP-Nonce` from refusals, so those are exposed.
 */
export function cors(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.get('origin');
    if (!origin || !allowed.has(origin)) return next();
    res.set({
      'access-control-allow-origin': origin,
      'access-control-expose-headers': 'WWW-Authenticate, DPoP-Nonce',
    });
    if (req.method !== 'OPTIONS') return next();
    res
      .set({ 'access-control-allow-methods': 'GET', 'access-control-allow-headers': 'Authorization, DPoP', 'access-control-max-age': '600' })
      .status(204)
      .end();
  };
}
