import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from './support/process.ts';
import { freePort } from './support/server.ts';

/**
 * Misconfiguration: the server runs behind a load balancer that sends
 * X-Forwarded-For, but LATCHKEY_TRUST_PROXY is unset, so every client has
 * the balancer's address (one rate-limit bucket for everyone). The server
 * says so in its log, once, at the first such request.
 */
const WARNING = /X-Forwarded-For but LATCHKEY_TRUST_PROXY is not set/;
const warnings = (output: string) => output.split('\n').filter((line) => WARNING.test(line));

describe('X-Forwarded-For while no proxy is trusted', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  async function start(env: Record<string, string> = {}): Promise<ServerProcess> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-xff-'));
    const port = await freePort();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const server = await spawnServer({ PORT: String(port), LATCHKEY_DATA_DIR: dataDir, LATCHKEY_ISSUER: `http://localhost:${port}`, ...env });
    cleanup.push(() => server.stop());
    return server;
  }

  const forwarded = async (server: ServerProcess) => {
    // Discovery is served by the provider lane, the health check by the app: one warning between them.
    for (const path of ['/.well-known/openid-configuration', '/healthz', '/.well-known/openid-configuration']) {
      await (await fetch(`${server.url}${path}`, { headers: { 'x-forwarded-for': '203.0.113.1' } })).arrayBuffer();
    }
    // The log line is written asynchronously.
    await new Promise((resolve) => setTimeout(resolve, 300));
  };

  it('logs one warning naming LATCHKEY_TRUST_PROXY at the first forwarded request; none when a proxy is trusted', async () => {
    const [untrusted, trusted] = await Promise.all([start(), start({ LATCHKEY_TRUST_PROXY: 'loopback' })]);
    expect(untrusted.output()).not.toMatch(WARNING);
    await (await fetch(`${untrusted.url}/.well-known/openid-configuration`)).arrayBuffer();
    await forwarded(untrusted);
    await forwarded(trusted);
    const lines = warnings(untrusted.output());
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40 });
    expect(trusted.output()).not.toMatch(WARNING);
    // Two real server processes start here; on a loaded machine that takes a while.
  }, 90_000);
});
