import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type TestSpa = { origin: string; callbackUrl: string; close: () => Promise<void> };

/**
 * A tiny single-page app on a loopback port: the SDK bundled by esbuild as an
 * app would ship it, and one page that creates the client from `config`,
 * exposes it as `window.latchkey`, records its events in `window.events` and
 * runs handleRedirect() on every load (`window.redirected`).
 */
export async function startTestSpa(config: (origin: string) => Record<string, unknown>): Promise<TestSpa> {
  const bundle = await build({ entryPoints: [path.join(root, 'src/index.ts')], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
  const sdk = bundle.outputFiles[0]!.text;
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/sdk.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
    if (url.pathname === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      return void res.end(`import { createLatchkey } from '/sdk.js';
const latchkey = createLatchkey(${JSON.stringify(config(origin))});
window.latchkey = latchkey;
window.events = [];
for (const name of ['signedIn', 'signedOut', 'tokenRefreshed', 'error']) latchkey.on(name, (value) => window.events.push(name === 'error' ? name + ':' + value.code : name));
window.redirected = latchkey.handleRedirect().catch((error) => ({ error: error.code + ': ' + error.message }));
`);
    }
    if (url.pathname === '/favicon.ico') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>SPA</title><h1>Test SPA</h1><script type="module" src="/app.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, callbackUrl: `${origin}/callback`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
