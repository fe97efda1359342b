/**
 * Token endpoint throughput: client_credentials grants against a real
 * `latchkey start` process on this machine. Run from services/server:
 *
 *   DATABASE_URL=postgres://… REDIS_URL=redis://… node bench/token-endpoint.ts [seconds=10] [concurrency=32]
 *
 * Without DATABASE_URL it uses a throw-away embedded database. Loopback only;
 * bounded in time. Each request claims its own forwarded address (through a
 * trusted loopback proxy) so the per-IP limit does not cap the measurement.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 32);
const entry = path.resolve(import.meta.dirname, '../src/cli/main.ts');

const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address() as { port: number };
    probe.close(() => resolve(free));
  });
});
const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-bench-'));
const env = {
  PATH: process.env.PATH ?? '',
  PORT: String(port),
  LATCHKEY_ISSUER: `http://localhost:${port}`,
  LATCHKEY_SECRETS: randomBytes(32).toString('base64url'),
  LATCHKEY_DATA_DIR: dataDir,
  LATCHKEY_LOG_LEVEL: 'warn',
  LATCHKEY_TRUST_PROXY: 'loopback',
  ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
};
const node = (args: string[]) => spawn(process.execPath, ['--disable-warning=ExperimentalWarning', entry, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });

// Register the client first (the embedded database admits one process at a time).
if (process.env.DATABASE_URL) await new Promise((resolve) => node(['migrate', 'latest']).on('exit', resolve));
const created = node(['--json', 'clients', 'create', '--name', `bench-${Date.now()}`, '--type', 'confidential', '--grant-type', 'client_credentials']);
let out = '';
created.stdout!.on('data', (d) => (out += d));
await new Promise((resolve) => created.on('exit', resolve));
const { client_id, client_secret } = JSON.parse(out) as { client_id: string; client_secret: string };

const server = node(['start']);
const base = `http://127.0.0.1:${port}`;
for (let i = 0; i < 300; i += 1) {
  if (await fetch(`${base}/readyz`).then((r) => r.ok, () => false)) break;
  await new Promise((r) => setTimeout(r, 100));
}

const authorization = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;
const latencies: number[] = [];
let errors = 0;
let n = 0;
const deadline = performance.now() + seconds * 1000;
async function worker() {
  while (performance.now() < deadline) {
    n += 1;
    const started = performance.now();
    const response = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` },
      body: 'grant_type=client_credentials',
    });
    await response.arrayBuffer();
    if (response.status === 200) latencies.push(performance.now() - started);
    else errors += 1;
  }
}
const began = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - began) / 1000;

server.kill('SIGTERM');
await new Promise((resolve) => server.on('exit', resolve));
await rm(dataDir, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]?.toFixed(1);
console.log(
  JSON.stringify({
    backend: process.env.DATABASE_URL ? 'postgres' : 'pglite',
    store: process.env.REDIS_URL ? 'redis' : 'memory',
    seconds: Number(elapsed.toFixed(1)),
    concurrency,
    ok: latencies.length,
    errors,
    requests_per_second: Math.round(latencies.length / elapsed),
    p50_ms: Number(pct(50)),
    p99_ms: Number(pct(99)),
  }),
);
