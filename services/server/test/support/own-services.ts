import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './server.ts';

/**
 * A PostgreSQL cluster and a Redis server of a test's own, on free loopback
 * ports: fault tests stop, slow and flush them without touching the shared
 * services other suites use at the same time.
 */

const run = promisify(execFile);
const PG_BIN = process.env.LATCHKEY_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
// Postgres refuses to run as root; Debian's package creates the postgres user.
const asRoot = userInfo().uid === 0;

export const canUseOwnServices =
  existsSync(path.join(PG_BIN, 'initdb')) && existsSync('/usr/bin/redis-server') && (!asRoot || existsSync('/usr/sbin/runuser'));

function pgCommand(command: string, args: string[]) {
  const bin = path.join(PG_BIN, command);
  return asRoot ? run('runuser', ['-u', 'postgres', '--', bin, ...args]) : run(bin, args);
}

export type OwnPostgres = {
  port: number;
  /** A connection URL for `database` (default postgres). */
  url: (database?: string) => string;
  createDatabase: (name: string) => Promise<string>;
  psql: (sql: string, database?: string) => Promise<string>;
  /** `pg_ctl stop` (fast: open connections are terminated, as a crash or failover does to clients). */
  stop: () => Promise<void>;
  start: () => Promise<void>;
  close: () => Promise<void>;
};

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-pg-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = path.join(dir, 'data');
  await pgCommand('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
  const start = async () => {
    await pgCommand('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '30', 'start']);
  };
  await start();
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const psql = async (sql: string, database = 'postgres') =>
    (await run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url(database), '-c', sql])).stdout.trim();
  return {
    port,
    url,
    psql,
    async createDatabase(name) {
      await psql(`create database ${name}`);
      return url(name);
    },
    stop: async () => {
      await pgCommand('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    start,
    async close() {
      await pgCommand('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type OwnRedis = {
  port: number;
  url: string;
  cli: (...args: string[]) => Promise<string>;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that keeps its connections open but answers nothing (hung, partitioned). */
  pause: () => void;
  resume: () => void;
  close: () => Promise<void>;
};

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const cli = async (...args: string[]) => (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout.trim();
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if ((await cli('ping').catch(() => '')) === 'PONG') return;
      if (Date.now() > deadline) throw new Error(`redis-server did not start on ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  const close = async () => {
    child?.kill('SIGCONT');
    await stop();
  };
  return { port, url: `redis://127.0.0.1:${port}`, cli, stop, start, pause: () => child?.kill('SIGSTOP'), resume: () => child?.kill('SIGCONT'), close };
}
