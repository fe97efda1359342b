import { readFileSync } from 'node:fs';
import { Router } from 'express';

// The library's own browser bundle, read from node_modules at start: served
// from our origin, so the strict CSP (script-src 'self') admits it.
const library = readFileSync(new URL('../dist/bundle/index.umd.min.js', import.meta.resolve('@simplewebauthn/browser')), 'utf8');
const ours = readFileSync(new URL('./assets/passkeys.js', import.meta.url), 'utf8');

/** GET /assets/simplewebauthn-browser.js and /assets/passkeys.js. */
export function passkeyAssets(): Router {
  const router = Router();
  const send = (body: string) => (_req: unknown, res: import('express').Response) => {
    res.type('text/javascript').set('Cache-Control', 'public, max-age=3600').send(body);
  };
  router.get('/assets/simplewebauthn-browser.js', send(library));
  router.get('/assets/passkeys.js', send(ours));
  return router;
}
