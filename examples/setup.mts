/**
 * Registers what the examples need on a Latchkey, with the operator CLI, and
 * writes their settings: examples/api/.env, examples/spa/.env.local and
 * examples/mcp/.env.
 *
 *   node examples/setup.mts [--issuer URL] [--spa-origin URL] [--api-url URL] [--mcp-url URL]
 *
 * The CLI reaches the database as `./latchkey` does (DATABASE_URL and
 * LATCHKEY_SECRETS from the environment, or the embedded server's data dir).
 * Secrets go to the .env files only (both are git-ignored), never to stdout.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const examples = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(examples, '../services/server/src/cli/main.ts');

const { values } = parseArgs({
  options: {
    issuer: { type: 'string', default: process.env.LATCHKEY_ISSUER ?? 'http://localhost:3000' },
    'spa-origin': { type: 'string', default: 'http://localhost:5173' },
    'api-url': { type: 'string', default: 'http://localhost:4000' },
    'api-env': { type: 'string', default: path.join(examples, 'api/.env') },
    'spa-env': { type: 'string', default: path.join(examples, 'spa/.env.local') },
    'mcp-url': { type: 'string', default: 'http://localhost:4100' },
    'mcp-env': { type: 'string', default: path.join(examples, 'mcp/.env') },
  },
});
const issuer = values.issuer.replace(/\/+$/, '');
const spaOrigin = new URL(values['spa-origin']).origin;
const apiUrl = new URL(values['api-url']).origin;
const scopes = 'read:things';
// The MCP server's resource is its endpoint URL (MCP names the server by it).
const mcpResource = `${new URL(values['mcp-url']).origin}/mcp`;

/** One CLI command with --json: its one JSON object, or the CLI's own error message. */
function latchkey(...args: string[]): Record<string, unknown> {
  const run = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', cli, ...args, '--json'], { encoding: 'utf8', env: process.env });
  if (run.status !== 0) {
    console.error(`latchkey ${args.slice(0, 2).join(' ')} failed:\n${run.stderr.trim()}`);
    process.exit(1);
  }
  return JSON.parse(run.stdout);
}

// The API: tokens asked for with resource=<apiUrl> are JWTs with that audience; its credentials introspect them.
const api = latchkey('resources', 'create', '--identifier', apiUrl, '--name', 'Latchkey example API', '--scope', scopes);
// The SPA: a public client (PKCE, no secret) allowed refresh tokens and the API's scope.
const spa = latchkey(
  'clients', 'create', '--name', `Example SPA ${spaOrigin}`, '--type', 'public',
  '--redirect-uri', `${spaOrigin}/`, '--post-logout-redirect-uri', `${spaOrigin}/`,
  '--grant-type', 'authorization_code', '--grant-type', 'refresh_token',
  '--scope', `openid profile email offline_access ${scopes}`,
);

// The MCP server: its introspection credentials also receive its Shared Signals (--signals: client credentials, scope ssf).
const mcp = latchkey('resources', 'create', '--identifier', mcpResource, '--name', 'Latchkey example MCP server', '--scope', 'notes:read', '--signals');

const lines = (settings: Record<string, unknown>) => `${Object.entries(settings).map(([name, value]) => `${name}=${String(value)}`).join('\n')}\n`;
writeFileSync(
  values['api-env'],
  lines({
    LATCHKEY_ISSUER: issuer,
    API_RESOURCE: apiUrl,
    INTROSPECTION_CLIENT_ID: api.introspection_client_id,
    INTROSPECTION_CLIENT_SECRET: api.introspection_client_secret,
    SPA_ORIGIN: spaOrigin,
    PORT: new URL(apiUrl).port || '80',
  }),
  { mode: 0o600 },
);
writeFileSync(values['spa-env'], lines({ VITE_LATCHKEY_ISSUER: issuer, VITE_CLIENT_ID: spa.client_id, VITE_API_URL: apiUrl, VITE_API_RESOURCE: apiUrl }));
writeFileSync(
  values['mcp-env'],
  lines({
    LATCHKEY_ISSUER: issuer,
    MCP_RESOURCE: mcpResource,
    INTROSPECTION_CLIENT_ID: mcp.introspection_client_id,
    INTROSPECTION_CLIENT_SECRET: mcp.introspection_client_secret,
    PORT: new URL(mcpResource).port || '80',
  }),
  { mode: 0o600 },
);
console.log(
  `Registered the API ${apiUrl}, the SPA client ${String(spa.client_id)} and the MCP server ${mcpResource}; ` +
    `wrote ${values['api-env']}, ${values['spa-env']} and ${values['mcp-env']}.`,
);
