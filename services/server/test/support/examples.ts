import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createResourceWithCredentials } from '../../src/resources/introspection-client.ts';
import { startCliReachableServer, type CliReachableServer } from './server.ts';

/**
 * The examples (examples/spa, examples/api) as a developer runs them, against
 * a real Latchkey: registered by examples/setup.mts through the operator CLI,
 * the SPA built by Vite and served as static files, the API in its own
 * process with the settings setup.mts wrote.
 */

const examplesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../examples');
const quiet = ['--disable-warning=ExperimentalWarning'];

export type ExampleLatchkey = CliReachableServer;

/** A Latchkey on real Postgres when the suite has it (so the CLI can reach its database), else PGlite. */
export const startExampleLatchkey = startCliReachableServer;

/** KEY=value lines, as setup.mts writes them. */
export function readEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

export type Registration = { apiEnvFile: string; spaEnv: Record<string, string>; via: 'setup.mts' | 'test support' };

/**
 * Registers the examples. With a database the CLI can reach, that is
 * examples/setup.mts itself; on the in-process PGlite it cannot, so the same
 * registrations go through the services the CLI calls.
 */
export async function registerExamples(server: ExampleLatchkey, options: { spaOrigin: string; apiUrl: string; dir: string }): Promise<Registration> {
  const apiEnvFile = path.join(options.dir, 'api.env');
  const spaEnvFile = path.join(options.dir, 'spa.env');
  if (server.databaseUrl) {
    const run = spawnSync(
      process.execPath,
      [
        ...quiet, path.join(examplesDir, 'setup.mts'), '--issuer', server.issuer, '--spa-origin', options.spaOrigin, '--api-url', options.apiUrl,
        // Every settings file into the test's directory: none may land in the checkout.
        '--api-env', apiEnvFile, '--spa-env', spaEnvFile, '--mcp-env', path.join(options.dir, 'mcp.env'),
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', DATABASE_URL: server.databaseUrl, LATCHKEY_SECRETS: server.secrets, LATCHKEY_ISSUER: server.issuer } },
    );
    if (run.status !== 0) throw new Error(`setup.mts failed: ${run.stderr}`);
    return { apiEnvFile, spaEnv: readEnvFile(spaEnvFile), via: 'setup.mts' };
  }
  const { credentials } = await createResourceWithCredentials(
    { knex: server.db.knex, issuer: server.issuer, keyring: server.keyring },
    { identifier: options.apiUrl, scopes: ['read:things'], signing_alg: 'RS256' },
    { actor: { actorType: 'operator', actorId: 'test' } },
  );
  const spa = await server.createClient({
    public: true,
    redirect_uris: [`${options.spaOrigin}/`],
    post_logout_redirect_uris: [`${options.spaOrigin}/`],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid profile email offline_access read:things',
  });
  const apiEnv = {
    LATCHKEY_ISSUER: server.issuer,
    API_RESOURCE: options.apiUrl,
    ...Object.fromEntries(Object.entries(credentials).map(([name, value]) => [name.toUpperCase(), value])),
    SPA_ORIGIN: options.spaOrigin,
    PORT: new URL(options.apiUrl).port,
  };
  await writeFile(apiEnvFile, Object.entries(apiEnv).map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
  const spaEnv = { VITE_LATCHKEY_ISSUER: server.issuer, VITE_CLIENT_ID: spa.client_id, VITE_API_URL: options.apiUrl, VITE_API_RESOURCE: options.apiUrl };
  return { apiEnvFile, spaEnv, via: 'test support' };
}

/** `vite build` of examples/spa with these VITE_* settings, into outDir. */
export function buildSpa(env: Record<string, string>, outDir: string): void {
  const vite = path.join(examplesDir, 'spa/node_modules/.bin/vite');
  const run = spawnSync(vite, ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: path.join(examplesDir, 'spa'),
    encoding: 'utf8',
    env: { PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...env },
  });
  if (run.status !== 0) throw new Error(`vite build failed: ${run.stdout}${run.stderr}`);
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

export type StaticSite = { origin: string; close: () => Promise<void> };

/** Serves a built SPA on a loopback port (any unknown path gets index.html, as SPA hosts do). */
export async function serveStatic(dir: string): Promise<StaticSite> {
  const server: Server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(dir, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ''));
    try {
      const body = await readFile(file.endsWith(path.sep) || pathname === '/' ? path.join(dir, 'index.html') : file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'text/html; charset=utf-8' }).end(body);
    } catch {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(await readFile(path.join(dir, 'index.html')).catch(() => ''));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type ExampleApi = { url: string; child: ChildProcess; output: () => string; stop: () => Promise<void> };

/** `node examples/api/src/server.ts` with setup.mts's env file; ready once its RFC 9728 metadata answers. */
export async function startExampleApi(envFile: string, url: string): Promise<ExampleApi> {
  const child = spawn(process.execPath, [...quiet, `--env-file=${envFile}`, path.join(examplesDir, 'api/src/server.ts')], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`example API exited with ${child.exitCode}: ${output}`);
    if (await fetch(`${url}/.well-known/oauth-protected-resource`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`example API did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
