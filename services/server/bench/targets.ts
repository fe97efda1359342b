/**
 * The servers under test, each its own process pinned to the server core:
 * bare oidc-provider, Latchkey on PostgreSQL + Redis, Latchkey embedded.
 * A target is set up once (database, clients, API resources through the
 * CLI, as an operator would), then started and timed to ready.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BareConfig } from './bare-provider.ts';
import { memoryMiB } from './proc.ts';

/** `baseline`: another checkout of Latchkey on PostgreSQL + Redis (--baseline), to compare two versions in one run. */
export type TargetName = 'bare' | 'postgres' | 'embedded' | 'baseline';

/** What the workloads need to know about a target. */
export type Target = {
  name: TargetName;
  base: string;
  cc: { client_id: string; client_secret: string };
  web: { client_id: string; client_secret: string; redirect_uri: string };
  resources: { es256: string; rs256: string };
  scope: string;
  /** Postgres database whose backends serve this target. */
  database?: string;
  pid(): number;
  start(): Promise<{ readyMs: number; rssMiB?: number }>;
  /** Restart with extra node flags (the CPU profile). */
  restartWith(nodeFlags: string[]): Promise<void>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
};

export type Pinning = { server: string[]; loader: string[] };

/** Server on the last core, loader and this process on the others, when taskset exists and there are ≥ 2 cores. */
export function pinning(cores: number): Pinning {
  const has = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
  if (!has || cores < 2) return { server: [], loader: [] };
  return { server: ['taskset', '-c', String(cores - 1)], loader: ['taskset', '-c', cores === 2 ? '0' : `0-${cores - 2}`] };
}

const serverEntry = path.resolve(import.meta.dirname, '../src/cli/main.ts');
const bareEntry = path.resolve(import.meta.dirname, 'bare-provider.ts');
const NODE_FLAGS = ['--disable-warning=ExperimentalWarning'];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

const secret = () => randomBytes(32).toString('base64url');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitReady(url: string, child: ChildProcess, started: number, timeoutMs = 120_000): Promise<number> {
  while (performance.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited (${child.exitCode}) before it was ready`);
    const ok = await fetch(url).then(
      (r) => r.body?.cancel().then(() => r.ok) ?? r.ok,
      () => false,
    );
    if (ok) return performance.now() - started;
    await sleep(10);
  }
  throw new Error(`${url}: not ready after ${timeoutMs} ms`);
}

/** One server process with a start/stop cycle; stdout (the request log) goes to /dev/null. */
function processTarget(options: { pin: string[]; args: string[]; env: Record<string, string>; readyUrl: string; stopSignal: NodeJS.Signals }) {
  let child: ChildProcess | undefined;
  let extraFlags: string[] = [];
  const devNull = openSync('/dev/null', 'w');
  const start = async () => {
    const [command, ...pinArgs] = options.pin.length ? options.pin : [process.execPath];
    const args = options.pin.length ? [...pinArgs, process.execPath] : [];
    const started = performance.now();
    child = spawn(command!, [...args, ...NODE_FLAGS, ...extraFlags, ...options.args], { env: options.env, stdio: ['ignore', devNull, 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    try {
      const readyMs = await waitReady(options.readyUrl, child, started);
      return { readyMs, rssMiB: memoryMiB(child.pid!).rss };
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${stderr}`);
    }
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill(options.stopSignal);
    const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    pid: () => child?.pid ?? 0,
    start,
    stop,
    async restartWith(flags: string[]) {
      await stop();
      extraFlags = flags;
      await start();
      extraFlags = [];
    },
  };
}

const RESOURCES = { es256: 'https://api.bench.example/es256', rs256: 'https://api.bench.example/rs256' };
const SCOPE = 'read';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

export async function bareTarget(pin: Pinning): Promise<Target> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config: BareConfig = {
    port,
    issuer: base,
    cc: { client_id: 'bench-cc', client_secret: secret() },
    web: { client_id: 'bench-web', client_secret: secret(), redirect_uri: REDIRECT_URI },
    resources: { [RESOURCES.es256]: 'ES256', [RESOURCES.rs256]: 'RS256' },
    scope: SCOPE,
  };
  const proc = processTarget({
    pin: pin.server,
    args: [bareEntry],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', BENCH_BARE_CONFIG: JSON.stringify(config) },
    readyUrl: `${base}/.well-known/openid-configuration`,
    stopSignal: 'SIGTERM',
  });
  return { name: 'bare', base, cc: config.cc, web: config.web, resources: RESOURCES, scope: SCOPE, ...proc, dispose: proc.stop };
}

export type LatchkeyOptions = {
  /** postgres://… of a server where this user may create databases; undefined = embedded. */
  adminDatabaseUrl?: string;
  redisUrl?: string;
  logLevel: string;
  /** The CLI entry to start (another checkout's, for the baseline); this checkout's when undefined. */
  entry?: string;
};

/**
 * Latchkey as `latchkey start` runs it. NODE_ENV=development (production
 * would need an https issuer and SMTP; nothing measured here differs) with
 * the request log on at info, written to /dev/null. The token rate limit is
 * raised so it still runs (and costs what it costs) without refusing the load.
 */
export async function latchkeyTarget(name: 'postgres' | 'embedded' | 'baseline', pin: Pinning, options: LatchkeyOptions): Promise<Target> {
  const entry = options.entry ?? serverEntry;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), `latchkey-bench-${name}-`));
  let database: string | undefined;
  let databaseUrl: string | undefined;
  if (options.adminDatabaseUrl) {
    database = `latchkey_bench_${randomBytes(5).toString('hex')}`;
    const admin = new URL(options.adminDatabaseUrl);
    const created = spawnSync('createdb', ['-h', admin.hostname, '-p', admin.port || '5432', '-U', decodeURIComponent(admin.username || 'postgres'), database], {
      env: { ...process.env, ...(admin.password ? { PGPASSWORD: decodeURIComponent(admin.password) } : {}) },
      encoding: 'utf8',
    });
    if (created.status !== 0) throw new Error(`createdb ${database} failed: ${created.stderr || created.error?.message}`);
    const url = new URL(options.adminDatabaseUrl);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'development',
    PORT: String(port),
    LATCHKEY_ISSUER: base,
    LATCHKEY_SECRETS: secret(),
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_LOG_LEVEL: options.logLevel,
    LATCHKEY_RATE_LIMITS: 'token.ip=999999999/1s',
    LATCHKEY_SHUTDOWN_DRAIN_SECONDS: '0',
    // As the image and ./latchkey set it: the entry file is compiled from the cache too.
    NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? path.join(tmpdir(), 'node-compile-cache'),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(databaseUrl && options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
  };
  const cli = (args: string[]) => {
    const run = spawnSync(process.execPath, [...NODE_FLAGS, entry, '--json', ...args], { env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`latchkey ${args.join(' ')} failed: ${run.stderr}`);
    return JSON.parse(run.stdout) as Record<string, string>;
  };
  if (databaseUrl) cli(['migrate', 'latest']);
  for (const [alg, identifier] of [['ES256', RESOURCES.es256], ['RS256', RESOURCES.rs256]] as const) {
    cli(['resources', 'create', '--identifier', identifier, '--scope', SCOPE, '--signing-alg', alg, '--token-ttl', '600']);
  }
  const cc = cli(['clients', 'create', '--name', 'bench-cc', '--type', 'confidential', '--grant-type', 'client_credentials', '--scope', SCOPE]);
  const web = cli(['clients', 'create', '--name', 'bench-web', '--type', 'confidential', '--redirect-uri', REDIRECT_URI, '--scope', 'openid']);
  const proc = processTarget({ pin: pin.server, args: [entry, 'start'], env, readyUrl: `${base}/readyz`, stopSignal: 'SIGINT' });
  return {
    name,
    base,
    cc: { client_id: cc.client_id!, client_secret: cc.client_secret! },
    web: { client_id: web.client_id!, client_secret: web.client_secret!, redirect_uri: REDIRECT_URI },
    resources: RESOURCES,
    scope: SCOPE,
    ...(database ? { database } : {}),
    ...proc,
    async dispose() {
      await proc.stop();
      await rm(dataDir, { recursive: true, force: true });
      if (database && options.adminDatabaseUrl) {
        const admin = new URL(options.adminDatabaseUrl);
        spawnSync('dropdb', ['--if-exists', '-h', admin.hostname, '-p', admin.port || '5432', '-U', decodeURIComponent(admin.username || 'postgres'), database], {
          env: { ...process.env, ...(admin.password ? { PGPASSWORD: decodeURIComponent(admin.password) } : {}) },
          stdio: 'ignore',
        });
      }
    },
  };
}
