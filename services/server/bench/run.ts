/**
 * `pnpm bench`: bare oidc-provider vs Latchkey (PostgreSQL + Redis, and
 * embedded), workload by workload, interleaved in rounds with the order
 * rotated, server and loader pinned to different cores. Prints one table
 * and writes JSON to bench-results/. See docs/performance.md.
 */
import { spawn } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { LoadResult, LoadSpec } from './load.ts';
import { summarizeProfile, type ProfileSummary } from './profile-summary.ts';
import { formatReport, median, type Measurement, type StartResult } from './report.ts';
import { bareTarget, latchkeyTarget, pinning, type Target, type TargetName } from './targets.ts';
import { WORKLOADS } from './workloads.ts';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '8' },
    // V8 was still optimizing Latchkey's request path 20 s into a load (--trace-opt: tens of
    // compilations every 2 s); 8 s per workload and server measures closer to a running replica.
    warmup: { type: 'string', default: '8' },
    connections: { type: 'string', default: '50' },
    starts: { type: 'string', default: '3' },
    only: { type: 'string' },
    targets: { type: 'string', default: 'bare,postgres,embedded' },
    'database-url': { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    'redis-url': { type: 'string', default: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379' },
    'log-level': { type: 'string', default: 'info' },
    baseline: { type: 'string' },
    profile: { type: 'string', default: '0' },
    'profile-target': { type: 'string' },
    out: { type: 'string', default: path.resolve(import.meta.dirname, '../../../bench-results') },
    help: { type: 'boolean', default: false },
  },
});

if (opts.help) {
  console.log(`pnpm bench [--rounds 3] [--duration 8] [--warmup 8] [--connections 50] [--starts 3]
  [--only token-opaque,discovery,…] [--targets bare,postgres,embedded] [--profile SECONDS] [--profile-target bare|postgres|embedded]
  [--database-url postgres://…] [--redis-url redis://…] [--log-level info] [--out DIR]
  [--baseline CHECKOUT]  also run another checkout of Latchkey (a git worktree with its dependencies installed)
                         on PostgreSQL + Redis as target "baseline", to compare two versions in one run
workloads: ${WORKLOADS.map((w) => w.name).join(', ')}`);
  process.exit(0);
}

const num = (name: keyof typeof opts, min: number) => {
  const value = Number(opts[name]);
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}`);
  return value;
};
const rounds = num('rounds', 1);
const duration = num('duration', 1);
const warmup = num('warmup', 0);
const connections = num('connections', 1);
const starts = num('starts', 1);
const profileSeconds = num('profile', 0);
const only = opts.only?.split(',').map((s) => s.trim()).filter(Boolean);
for (const name of only ?? []) if (!WORKLOADS.some((w) => w.name === name)) throw new Error(`--only: unknown workload ${name}; known: ${WORKLOADS.map((w) => w.name).join(', ')}`);
const workloads = WORKLOADS.filter((w) => !only || only.includes(w.name));
const targetNames = opts.targets.split(',').map((s) => s.trim()) as TargetName[];
for (const name of targetNames) if (!['bare', 'postgres', 'embedded'].includes(name)) throw new Error(`--targets: unknown target ${name}`);
const baselineEntry = opts.baseline === undefined ? undefined : path.resolve(opts.baseline, 'services/server/src/cli/main.ts');
if (baselineEntry) {
  if (!existsSync(baselineEntry)) throw new Error(`--baseline: ${baselineEntry} does not exist (give the root of a Latchkey checkout)`);
  targetNames.push('baseline');
}
if (opts['profile-target'] && !targetNames.includes(opts['profile-target'] as TargetName)) throw new Error(`--profile-target: ${opts['profile-target']} is not among --targets`);

const cores = availableParallelism();
const pin = pinning(cores);
// This process schedules and reads results: it stays on the loader's cores.
if (pin.loader.length) spawnSync('taskset', ['-a', '-p', '-c', pin.loader[2]!, String(process.pid)], { stdio: 'ignore' });
const log = (line: string) => process.stderr.write(`${line}\n`);

function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const [command, ...args] = [...(pin.loader.length ? pin.loader : []), process.execPath, '--disable-warning=ExperimentalWarning', path.join(import.meta.dirname, 'load.ts'), JSON.stringify(spec)];
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`loader exited ${code}`))));
  });
}

async function measure(target: Target, workload: (typeof WORKLOADS)[number], seconds: number): Promise<LoadResult> {
  const request = await workload.prepare(target);
  return runLoad({ ...request, connections: workload.connections ?? connections, seconds, serverPid: target.pid(), ...(target.database ? { database: target.database } : {}) });
}

const targets: Target[] = [];
const startResults: StartResult[] = [];
const measurements: Measurement[] = [];
let profile: (ProfileSummary & { file: string; workload: string; requests: number }) | undefined;
const stamp = new Date().toISOString().replace(/[:.]/g, '-');

try {
  for (const name of targetNames) {
    log(`setting up ${name}…`);
    const target =
      name === 'bare'
        ? await bareTarget(pin)
        : await latchkeyTarget(name, pin, {
            adminDatabaseUrl: name === 'embedded' ? undefined : opts['database-url'],
            redisUrl: opts['redis-url'],
            logLevel: opts['log-level'],
            ...(name === 'baseline' ? { entry: baselineEntry } : {}),
          });
    targets.push(target);
    // Cold start: process spawn to the first successful readiness answer, on a machine not under our load.
    const readyMs: number[] = [];
    let rssMiB: number | undefined;
    for (let i = 0; i < starts; i += 1) {
      if (i > 0) await target.stop();
      const started = await target.start();
      readyMs.push(started.readyMs);
      rssMiB = started.rssMiB;
    }
    startResults.push({ target: name, readyMs, medianReadyMs: median(readyMs), rssMiB });
    log(`  ready in ${readyMs.map((ms) => ms.toFixed(0)).join(', ')} ms; RSS ${rssMiB?.toFixed(0)} MiB`);
  }

  if (warmup > 0) {
    log(`warming up (${warmup} s per workload and target)…`);
    for (const workload of workloads) for (const target of targets) await measure(target, workload, warmup);
  }

  for (let round = 0; round < rounds; round += 1) {
    // Rotate both orders so no target always runs first (or right after the same neighbour).
    const ws = workloads.map((_, i) => workloads[(i + round) % workloads.length]!);
    for (const workload of ws) {
      const ts = targets.map((_, i) => targets[(i + round) % targets.length]!);
      for (const target of ts) {
        const result = await measure(target, workload, duration);
        measurements.push({ round, workload: workload.name, target: target.name, ...result });
        log(`round ${round + 1}/${rounds} ${workload.name.padEnd(13)} ${target.name.padEnd(8)} ${result.rps.toFixed(0).padStart(6)} req/s${result.rejected || result.errors ? ` (${result.rejected} non-2xx, first ${result.firstStatus}; ${result.errors} errors)` : ''}`);
      }
    }
  }

  for (const target of targets) startResults.find((s) => s.target === target.name)!.peakRssMiB = (await import('./proc.ts')).memoryMiB(target.pid()).peak;

  // PostgreSQL by default; bare to see what the baseline itself spends its time on.
  const profiled = opts['profile-target'] ? targets.find((t) => t.name === opts['profile-target']) : (targets.find((t) => t.name === 'postgres') ?? targets.find((t) => t.name !== 'bare'));
  if (profileSeconds > 0 && profiled) {
    const dir = path.join(opts.out, `profile-${stamp}`);
    mkdirSync(dir, { recursive: true });
    // The first workload asked for (token-opaque when all run).
    const workload = workloads[0]!;
    log(`profiling ${profiled.name} under ${workload.name} for ${profileSeconds} s…`);
    await profiled.restartWith(['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const result = await measure(profiled, workload, profileSeconds);
    await profiled.stop();
    const file = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!);
    // Requests during the profile: the measured ones plus the one the workload checks first.
    profile = { file, workload: workload.name, requests: result.ok + 1, ...summarizeProfile(file, result.ok + 1) };
  }
} finally {
  for (const target of targets) await target.dispose().catch(() => {});
}

const machine = {
  cpu: cpus()[0]?.model,
  cores,
  memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  node: process.version,
  pinned: pin.server.length ? { server: pin.server.at(-1), loader: pin.loader.at(-1) } : false,
  loadavgAfter: loadavg().map((l) => Number(l.toFixed(2))),
};
const settings = { rounds, duration, warmup, connections, starts, logLevel: opts['log-level'], workloads: workloads.map((w) => w.name), targets: targetNames };
const report = formatReport({ workloads, targets: targetNames, measurements, starts: startResults, profile });
console.log(report.text);
mkdirSync(opts.out, { recursive: true });
const file = path.join(opts.out, `bench-${stamp}.json`);
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, settings, summary: report.summary, starts: startResults, measurements, profile }, null, 2)}\n`);
log(`results: ${file}`);
