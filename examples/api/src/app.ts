import express, { type Express } from 'express';
import { createIntrospector, createVerifier, protectedResourceMetadata, requireAuth } from '@latchkey/node';
import type { ApiConfig } from './config.ts';
import { cors } from './cors.ts';

export const SCOPES = ['read:things'];

const things = [
  { id: 1, name: 'kettle' },
  { id: 2, name: 'teapot' },
];

/** The example API: the same data behind two ways of checking a token. */
export function createApp(config: ApiConfig): Express {
  const { issuer, resource } = config;
  // Local: the JWT's signature and claims are checked here against Latchkey's JWKS (fetched once per key).
  const verifier = createVerifier({ issuer, audience: resource });
  // Introspection: Latchkey answers for each request, so sign-out, revocation and blocked users count at once.
  const introspector = createIntrospector({ issuer, clientId: config.introspectionClientId, clientSecret: config.introspectionClientSecret });

  const app = express();
  app.disable('x-powered-by');
  app.use(cors(config.corsOrigins));
  // RFC 9728: where clients (MCP among them) learn that Latchkey issues tokens for this API.
  app.use(protectedResourceMetadata({ resource, authorizationServers: [issuer], scopes: SCOPES, resourceName: 'Latchkey example API' }));

  const verified = requireAuth({ verifier, scopes: SCOPES });
  const introspected = requireAuth({ mode: 'introspect', introspector, resource, scopes: SCOPES });

  app.get('/things', verified, (req, res) => {
    res.json({ checked_by: 'jwt', user: req.auth!.sub, scopes: req.auth!.scopes, things });
  });
  app.get('/things/live', introspected, (req, res) => {
    res.json({ checked_by: 'introspection', user: req.auth!.sub, scopes: req.auth!.scopes, things });
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  return app;
}
