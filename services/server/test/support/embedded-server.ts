import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as client from 'openid-client';
import { runEntry } from './entry.ts';
import { spawnServer, type ServerProcess } from './process.ts';
import { freePort } from './server.ts';

/** A real `latchkey start` on a fresh embedded data dir (PGlite), as on a laptop. */
export type EmbeddedServer = ServerProcess & { dataDir: string; issuer: string; close: () => Promise<void> };

export async function startEmbeddedServer(): Promise<EmbeddedServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-laptop-'));
  const port = await freePort();
  const server = await spawnServer({ PORT: String(port), LATCHKEY_DATA_DIR: dataDir });
  return {
    ...server,
    dataDir,
    issuer: server.url,
    close: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A client made with `./latchkey clients create` beside the server, and an admin API token the server issues it. */
export async function adminApiToken(server: EmbeddedServer, scope: string): Promise<{ clientId: string; token: string; cliMs: number }> {
  const created = await runEntry(
    ['clients', 'create', '--json', '--name', `Ops ${Date.now()}`, '--type', 'confidential', '--grant-type', 'client_credentials', '--scope', scope],
    { LATCHKEY_DATA_DIR: server.dataDir },
  );
  if (created.code !== 0) throw new Error(`clients create failed: ${created.stderr}`);
  const { client_id, client_secret } = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
  const config = await client.discovery(new URL(server.issuer), client_id, { client_secret }, client.ClientSecretBasic(client_secret), {
    execute: [client.allowInsecureRequests],
  });
  const { access_token } = await client.clientCredentialsGrant(config, { resource: `${server.issuer}/api`, scope });
  return { clientId: client_id, token: access_token, cliMs: created.ms };
}
