import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres, realDatabaseUrl, realRedisUrl } from './support/backends.ts';
import { freePort } from './support/server.ts';

/**
 * The container image, built with scripts/image/build.sh (debootstrap + buildah: no Docker
 * daemon or registry here) and run with scripts/image/run.sh (buildah run, chroot isolation,
 * host network) as an operator runs it: `migrate latest`, then `start` with the image's own
 * entrypoint and a read-only root, against the host's Postgres and Redis.
 * Opt-in (LATCHKEY_TEST_IMAGE=1; CI sets it): the first build takes minutes.
 */
const enabled = process.env.LATCHKEY_TEST_IMAGE === '1';
const root = path.resolve(import.meta.dirname, '../../..');
const image = process.env.LATCHKEY_IMAGE ?? 'localhost/latchkey:dev';
const run = promisify(execFile);
// Uncompressed, as `podman images` shows it; the Node 24 binary alone is ~108 MB stripped.
const MAX_IMAGE_BYTES = 260e6;

async function runImage(args: string[]) {
  return run('bash', [path.join(root, 'scripts/image/run.sh'), ...args], { env: { ...process.env, LATCHKEY_IMAGE: image }, maxBuffer: 16 << 20 });
}

/** Processes on the host below `pid` (chroot isolation: the container's processes are the host's). */
function descendants(pid: number): Array<{ pid: number; comm: string; cmdline: string; ppid: number }> {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((name) => {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const comm = readFileSync(`/proc/${name}/comm`, 'utf8').trim();
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      return [{ pid: Number(name), ppid, comm, cmdline }];
    } catch {
      return [];
    }
  });
  const found: typeof all = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const process of all.filter((p) => p.ppid === parent)) {
      found.push(process);
      queue.push(process.pid);
    }
  }
  return found;
}

const status = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8');

describe.skipIf(!enabled)('container image', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  const secrets = randomBytes(36).toString('base64url');

  beforeAll(async () => {
    if (!realDatabaseUrl || !realRedisUrl) throw new Error('LATCHKEY_TEST_IMAGE=1 needs LATCHKEY_TEST_DATABASE_URL and LATCHKEY_TEST_REDIS_URL');
    // Reuses the layers of an earlier build in this checkout: seconds when nothing changed.
    await run('bash', [path.join(root, 'scripts/image/build.sh')], { env: { ...process.env, LATCHKEY_IMAGE: image }, maxBuffer: 64 << 20 });
    db = await freshPostgres({ migrate: false });
  }, 1_500_000);

  afterAll(async () => {
    await db?.close();
  });

  it(`is at most ${MAX_IMAGE_BYTES / 1e6} MB, runs as a non-root user, and carries a HEALTHCHECK on /readyz`, async () => {
    const { stdout: size } = await run('podman', ['image', 'inspect', '--format', '{{.Size}}', image]);
    console.info(`image ${image}: ${(Number(size) / 1e6).toFixed(1)} MB uncompressed`);
    expect(Number(size)).toBeLessThanOrEqual(MAX_IMAGE_BYTES);

    const { stdout: id } = await runImage(['--exec', 'id', '-u']);
    expect(id.trim()).toBe('10001');
    const { stdout: health } = await run('buildah', ['inspect', '--type', 'image', '--format', '{{range .Docker.Config.Healthcheck.Test}}{{println .}}{{end}}', image]);
    expect(health).toContain('/readyz');
  }, 60_000);

  it('migrate latest, then start (read-only root, PID 1 tini): /readyz 200, HEALTHCHECK passes, SIGTERM stops it', async () => {
    const env = [
      '-e', `DATABASE_URL=${db.url}`,
      '-e', `REDIS_URL=${realRedisUrl}`,
      '-e', `LATCHKEY_SECRETS=${secrets}`,
      '-e', 'LATCHKEY_ISSUER=https://id.example.test',
      // Production refuses to start without a mail server; nothing is sent in this test.
      '-e', 'SMTP_URL=smtp://127.0.0.1:2525',
      '-e', 'LATCHKEY_LOG_LEVEL=warn',
    ];
    const migrated = await runImage([...env, 'migrate', 'latest', '--json']);
    expect(JSON.parse(migrated.stdout)).toHaveProperty('applied');
    const { rows } = await db.knex.raw('select count(*)::int as n from knex_migrations');
    expect(rows[0].n).toBeGreaterThan(0);

    const port = await freePort();
    const started = Date.now();
    const child: ChildProcess = spawn('bash', [path.join(root, 'scripts/image/run.sh'), '--read-only', '--tmpfs', '/tmp', '--tmpfs', '/data', ...env, '-e', `PORT=${port}`], {
      env: { ...process.env, LATCHKEY_IMAGE: image },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let ready: Response | undefined;
      for (let deadline = Date.now() + 60_000; Date.now() < deadline && child.exitCode === null; ) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
        if (ready?.status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready?.status, output).toBe(200);
      expect(await ready!.json()).toEqual({ status: 'ok', checks: { database: 'ok', store: 'ok' } });
      console.info(`image: cold start to ready ${((Date.now() - started) / 1000).toFixed(1)} s`);

      // The image's entrypoint: tini runs the server's node process and reaps for it.
      const processes = descendants(child.pid!);
      const server = processes.find((p) => p.cmdline.startsWith('/usr/local/bin/node ') && p.cmdline.includes('/app/services/server/src/cli/main.ts start'));
      expect(server, JSON.stringify(processes)).toBeDefined();
      const parent = processes.find((p) => p.pid === server!.ppid);
      expect(parent?.comm).toBe('tini');
      // PID 1 wherever the runtime gives the container its own PID namespace (NSpid lists both ids).
      const nspid = /^NSpid:\s+(.+)$/m.exec(status(parent!.pid))![1]!.split(/\s+/);
      if (nspid.length > 1) expect(nspid.at(-1)).toBe('1');
      expect(/^Uid:\s+(\d+)/m.exec(status(server!.pid))![1]).toBe('10001');

      // The image's HEALTHCHECK command, run beside it as a runtime would.
      const { stdout: check } = await run('buildah', ['inspect', '--type', 'image', '--format', '{{range .Docker.Config.Healthcheck.Test}}{{println .}}{{end}}', image]);
      const [kind, ...healthcheck] = check.trim().split('\n');
      expect(kind).toBe('CMD');
      await expect(runImage(['-e', `PORT=${port}`, '--exec', ...healthcheck])).resolves.toBeDefined();

      await new Promise((r) => setTimeout(r, 2_000));
      const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status(server!.pid))![1]);
      console.info(`image: idle RSS of the server process ${(rss / 1024).toFixed(0)} MB`);
      expect(rss).toBeLessThan(400 * 1024);

      // The root really was read-only: the server wrote nowhere but its tmpfs mounts.
      await expect(runImage(['--read-only', '--exec', 'touch', '/app/probe'])).rejects.toThrow(/Read-only file system/);

      const stopAt = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - stopAt).toBeLessThan(15_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
