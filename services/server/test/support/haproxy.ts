import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const HAPROXY = process.env.LATCHKEY_TEST_HAPROXY ?? '/usr/sbin/haproxy';
export const canUseHaproxy = existsSync(HAPROXY);

export type Haproxy = { url: string; port: number; output: () => string; close: () => Promise<void> };

/**
 * HAProxy in front of replicas, configured as an operator would: round
 * robin, a replica taken out as soon as its /readyz fails, and a request
 * moved to another replica only when it never reached the first (a refused
 * connection) — a POST that may have run is never replayed by the balancer.
 * Every answer names its replica in X-Replica.
 */
export async function startHaproxy(options: { port: number; servers: Array<{ name: string; port: number }> }): Promise<Haproxy> {
  const dir = await mkdtemp(path.join(tmpdir(), 'latchkey-haproxy-'));
  const config = [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure',
    // One server connection per request: a replica killed between requests is a refused connection (retried), not a reset.
    '  option http-server-close',
    '  http-reuse never',
    'frontend latchkey',
    `  bind 127.0.0.1:${options.port}`,
    '  default_backend replicas',
    'backend replicas',
    '  balance roundrobin',
    '  option httpchk',
    '  http-check send meth GET uri /readyz',
    '  http-check expect status 200',
    // A replica out after two failed checks (~0.6 s); a check may take 2 s on a busy machine without counting as failed.
    '  timeout check 2s',
    '  default-server inter 300ms fastinter 200ms downinter 300ms fall 2 rise 1',
    '  http-response set-header X-Replica %[srv_name]',
    ...options.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check`),
    '',
  ].join('\n');
  const file = path.join(dir, 'haproxy.cfg');
  await writeFile(file, config);
  const child = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://localhost:${options.port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${output}`);
    // Ready once a replica answers through it.
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`haproxy did not become ready: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port: options.port,
    output: () => output,
    async close() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
