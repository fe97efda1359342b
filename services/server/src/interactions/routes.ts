import { Router } from 'express';

/**
 * Hosted sign-in pages. Until they land, an authorization request that needs
 * a person ends on an honest page instead of a broken form.
 */
export function interactionRoutes(): Router {
  const router = Router();
  router.get('/interaction/:uid', (_req, res) => {
    res
      .status(501)
      .set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
      .type('html')
      .send('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in unavailable</title></head>' +
        '<body><main><h1>Sign-in is not available yet</h1><p>This Latchkey server has no hosted sign-in pages installed.</p></main></body></html>');
  });
  return router;
}
