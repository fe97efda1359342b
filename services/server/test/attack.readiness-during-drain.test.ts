import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * Attack (graceful shutdown): during the drain /readyz must be red however
 * a load balancer spells it. Express routes `/readyz/` and `/READYZ` to the
 * readiness check too (non-strict, case-insensitive routing), which still
 * answered 200 while the replica was about to go: traffic kept coming to a
 * server that was closing its listener.
 */
describe('every spelling of /readyz that reaches the readiness check is 503 while draining', () => {
  let server: TestServer;
  let shuttingDown: Promise<void> | undefined;

  beforeAll(async () => {
    server = await startTestServer({ env: { LATCHKEY_SHUTDOWN_DRAIN_SECONDS: '2' } });
  });
  afterAll(async () => {
    await (shuttingDown ?? server?.stop());
  });

  it('/readyz, /readyz/, /READYZ and /readyz/?probe=1 are all 503 (and /healthz still 200)', async () => {
    const spellings = ['/readyz', '/readyz/', '/READYZ', '/Readyz/?probe=1'];
    for (const path of spellings) expect((await fetch(`${server.url}${path}`)).status, `${path} before the drain`).toBe(200);

    shuttingDown = server.shutdown();
    for (const path of spellings) expect((await fetch(`${server.url}${path}`)).status, `${path} while draining`).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 30_000);
});
