import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * An https host on this machine serving client ID metadata documents, with a
 * certificate from a CA made for this test alone. Only a server process
 * started with NODE_EXTRA_CA_CERTS=caFile trusts it; the test process does not.
 */
export type DocumentHost = {
  /** https://localhost:<port> */
  origin: string;
  caFile: string;
  /** Serves `body` (an object is sent as JSON) at `path`, after `delayMs`, with `headers`. */
  serve: (path: string, body: unknown, options?: { delayMs?: number; headers?: Record<string, string> }) => string;
  /** How many times each path was fetched. */
  fetches: Map<string, number>;
  close: () => Promise<void>;
};

function makeCertificates(dir: string): void {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1',
    '-subj', '/CN=Latchkey CIMD test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'host.key', '-out', 'host.csr', '-subj', '/CN=localhost');
  run('x509', '-req', '-in', 'host.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'host.pem', '-days', '1', '-extfile', 'san.cnf');
}

export async function startDocumentHost(): Promise<DocumentHost> {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-cimd-'));
  await writeFile(path.join(dir, 'san.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  makeCertificates(dir);
  const routes = new Map<string, { body: string; delayMs: number; headers: Record<string, string> }>();
  const fetches = new Map<string, number>();
  const server: Server = createServer({ key: await readFile(path.join(dir, 'host.key')), cert: await readFile(path.join(dir, 'host.pem')) }, (req, res) => {
    const route = routes.get(req.url ?? '');
    fetches.set(req.url ?? '', (fetches.get(req.url ?? '') ?? 0) + 1);
    if (!route) return void res.writeHead(404).end();
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json', ...route.headers }).end(route.body), route.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `https://localhost:${(server.address() as { port: number }).port}`;
  return {
    origin,
    caFile: path.join(dir, 'ca.pem'),
    fetches,
    serve(route, body, options = {}) {
      routes.set(route, { body: typeof body === 'string' ? body : JSON.stringify(body), delayMs: options.delayMs ?? 0, headers: options.headers ?? {} });
      return `${origin}${route}`;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
