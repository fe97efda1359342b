import { readFileSync } from 'node:fs';
import { Router } from 'express';
import type { Brand } from '../views/layout.ts';

const stylesheet = readFileSync(new URL('./latchkey.css', import.meta.url), 'utf8');

/** Static assets of the hosted pages; the theme carries the operator's brand colour as a CSS variable. */
export function assetRoutes(brand: Brand): Router {
  const router = Router();
  const theme = `:root { --brand: ${brand.color}; }\n`;
  router.get('/assets/latchkey.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=3600').send(stylesheet);
  });
  router.get('/assets/theme.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=300').send(theme);
  });
  // Browsers ask for it on every page; answer without a 404 in the log.
  router.get('/favicon.ico', (_req, res) => {
    res.status(204).set('Cache-Control', 'public, max-age=86400').end();
  });
  return router;
}
