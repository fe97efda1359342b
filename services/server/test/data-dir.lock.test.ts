import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli } from './support/process.ts';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support/data-dir-lock-worker.ts');
const STALE_MS = 3000; // short for the test; the holder refreshes it every 1.5 s

type Outcome = { pid: number; locked?: boolean; message?: string; lost?: string };
type Worker = { outcome: Promise<Outcome>; release: () => Promise<void>; crash: () => Promise<void> };

// Each process its own PID namespace, as each container is: both see themselves as PID 1.
const pidNamespaces = spawnSync('unshare', ['--pid', '--fork', '--kill-child', 'true']).status === 0;

const running = new Set<Worker>();

/** Starts a real process that takes the lock on dataDir and holds it until released (or crashes). */
function startWorker(dataDir: string, options: { startAt?: number; ownPidNamespace?: boolean } = {}): Worker {
  const node = [process.execPath, '--disable-warning=ExperimentalWarning', worker, dataDir, String(STALE_MS), ...(options.startAt ? [String(options.startAt)] : [])];
  const [command, ...args] = options.ownPidNamespace ? ['unshare', '--pid', '--fork', '--kill-child=SIGKILL', ...node] : node;
  const child = spawn(command!, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const outcome = new Promise<Outcome>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) resolve(JSON.parse(stdout.split('\n')[0]!) as Outcome);
    });
    child.once('exit', (code) => reject(new Error(`lock worker exited with ${code} before answering: ${stderr}`)));
  });
  const handle: Worker = {
    outcome,
    release: async () => {
      child.stdin.end();
      await exited;
      running.delete(handle);
    },
    crash: async () => {
      child.kill('SIGKILL'); // no exit handler runs: the lock stays behind, as after a power cut
      await exited;
      running.delete(handle);
    },
  };
  running.add(handle);
  return handle;
}

/** Makes the lock look as a dead holder leaves it once staleMs has passed, without waiting. */
async function ageLock(dataDir: string): Promise<void> {
  const lock = path.join(dataDir, 'embedded.lock');
  expect((await stat(lock)).isDirectory()).toBe(true); // the crashed holder's lock is still there
  const longAgo = new Date(Date.now() - 60_000);
  await utimes(lock, longAgo, longAgo);
}

describe('the embedded database lock', () => {
  const dirs: string[] = [];
  const dataDir = async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const w of [...running]) await w.crash();
  });
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('a live holder keeps it: another process is refused even after the stale time; a CLI command waits for it and then runs', async () => {
    const dir = await dataDir();
    const holder = startWorker(dir);
    expect(await holder.outcome).toMatchObject({ locked: true });
    await new Promise((resolve) => setTimeout(resolve, STALE_MS + 1000)); // the holder refreshes it meanwhile

    const second = await startWorker(dir).outcome;
    expect(second).toMatchObject({ locked: false, message: expect.stringMatching(/in use by another Latchkey process/) });
    // The holder shares no socket (it is not a server): the CLI waits its turn instead of failing at once.
    const cli = runCli(['clients', 'list', '--json'], { LATCHKEY_DATA_DIR: dir });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await holder.release();
    const listed = await cli;
    expect(listed.stderr).toBe('');
    expect(JSON.parse(listed.stdout)).toEqual({ clients: [] });

    const after = startWorker(dir);
    expect(await after.outcome).toMatchObject({ locked: true });
  }, 60_000);

  it.skipIf(!pidNamespaces)('two processes that are both PID 1 (two containers sharing the volume) never both hold it', async () => {
    const dir = await dataDir();
    const first = await startWorker(dir, { ownPidNamespace: true }).outcome;
    expect(first).toMatchObject({ pid: 1, locked: true });
    const second = await startWorker(dir, { ownPidNamespace: true }).outcome;
    expect(second).toMatchObject({ pid: 1, locked: false });
  }, 30_000);

  it('a stale lock whose holder is gone is taken over', async () => {
    const dir = await dataDir();
    const holder = startWorker(dir);
    expect(await holder.outcome).toMatchObject({ locked: true });
    await holder.crash();
    await ageLock(dir);
    expect(await startWorker(dir).outcome).toMatchObject({ locked: true });
  }, 30_000);

  it('of processes taking over a stale lock at the same moment, exactly one wins', async () => {
    // Two rounds of eight, their starts spread over a few milliseconds: a takeover
    // that is not atomic lets a late one remove the winner's fresh lock.
    for (let round = 0; round < 2; round += 1) {
      const dir = await dataDir();
      const holder = startWorker(dir);
      expect(await holder.outcome).toMatchObject({ locked: true });
      await holder.crash();
      await ageLock(dir);

      const startAt = Date.now() + 2000; // every process loaded and waiting, then all go at once
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => startWorker(dir, { startAt: startAt + (i % 4) }).outcome));
      expect(outcomes.filter((o) => o.locked), JSON.stringify(outcomes)).toHaveLength(1);
      for (const loser of outcomes.filter((o) => !o.locked)) expect(loser.message).toMatch(/in use by another Latchkey process/);
      for (const w of [...running]) await w.crash();
    }
  }, 30_000);
});
