import express, { type Express } from 'express';
import { createSignalReceiver, createVerifier, protectedResourceMetadata, requireAuth, type SignalReceiver } from '@latchkey/node';
import type { McpConfig } from './config.ts';
import { answer, type RpcRequest } from './rpc.ts';

export const SCOPES = ['notes:read'];

/**
 * The example MCP server: one JSON-RPC endpoint at the resource's path,
 * JWTs verified locally, Latchkey's Shared Signals refusing tokens of ended
 * sessions and blocked users within a second, and RFC 9728 metadata telling
 * MCP clients where to sign in.
 */
export function createApp(config: McpConfig): { app: Express; signals: SignalReceiver | undefined } {
  const { issuer, resource } = config;
  const origin = new URL(resource).origin;
  const signals =
    config.signals === 'off'
      ? undefined
      : createSignalReceiver({
          issuer,
          clientId: config.clientId,
          clientSecret: config.clientSecret,
          delivery: config.signals,
          ...(config.signals === 'push' ? { push: { url: `${origin}/ssf/events` } } : {}),
          onEvent: (event) => console.log(`signal ${event.type.slice(event.type.lastIndexOf('/') + 1)} ${event.revocation ? JSON.stringify(event.revocation) : ''}`),
        });
  const verifier = createVerifier({ issuer, audience: resource, signals });

  const app = express();
  app.disable('x-powered-by');
  // RFC 9728 at /.well-known/oauth-protected-resource and /.well-known/oauth-protected-resource/mcp.
  app.use(protectedResourceMetadata({ resource, authorizationServers: [issuer], scopes: SCOPES, resourceName: 'Latchkey example MCP server' }));
  if (signals && config.signals === 'push') app.post('/ssf/events', signals.pushHandler);
  app.post(new URL(resource).pathname, requireAuth({ verifier, scopes: SCOPES }), express.json({ limit: '64kb' }), (req, res) => {
    res.json(answer((req.body ?? {}) as RpcRequest, req.auth!));
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  return { app, signals };
}
