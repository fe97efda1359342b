import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { contentSecurityPolicy } from '../http/security-headers.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The committed document (`pnpm openapi` writes it; a test fails when it drifts from the contract). */
export const OPENAPI_PATH = path.resolve(here, '../../../../openapi/latchkey.json');
const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The OpenAPI document and the reference page may be cached briefly: they change only with a release. */
const CACHE = 'public, max-age=300';

// Swagger UI's stylesheet draws its icons as data: SVGs; nothing else is loosened.
const docsCsp = contentSecurityPolicy({ imgSrc: 'data:' });

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Latchkey API reference</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

/** /api/openapi.json and /api/docs (Swagger UI from node_modules, served locally under the strict CSP). */
export function apiDocs(): Router {
  const router = express.Router();
  let document: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= readFileSync(OPENAPI_PATH, 'utf8');
    res.setHeader('Cache-Control', CACHE);
    res.type('application/json').send(document);
  });
  router.get(['/docs', '/docs/'], (_req, res) => {
    res.setHeader('Content-Security-Policy', docsCsp);
    res.setHeader('Cache-Control', CACHE);
    res.type('html').send(page);
  });
  const files: Record<string, string> = {
    'swagger-ui.css': path.join(swaggerDir, 'swagger-ui.css'),
    'swagger-ui-bundle.js': path.join(swaggerDir, 'swagger-ui-bundle.js'),
    'init.js': path.join(here, 'assets/docs-init.js'),
  };
  router.get('/docs/:file', (req, res, next) => {
    if (!Object.hasOwn(files, req.params.file)) return next();
    const file = files[req.params.file]!;
    // dotfiles: pnpm keeps packages under node_modules/.pnpm.
    res.sendFile(file, { dotfiles: 'allow', maxAge: 300_000, headers: { 'Content-Security-Policy': docsCsp } });
  });
  return router;
}
