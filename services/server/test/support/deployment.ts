import { randomBytes } from 'node:crypto';
import { freshPostgres, realRedisUrl } from './backends.ts';
import { spawnServer, type ServerProcess } from './process.ts';
import { freePort, startTestServer, type TestServer } from './server.ts';

export type Deployment = {
  db: Awaited<ReturnType<typeof freshPostgres>>;
  /** In-process server that plays the sign-in pages (it has the test-only interaction route). */
  pages: TestServer;
  /** Two `latchkey start` processes: replicas of the same deployment. */
  a: ServerProcess;
  b: ServerProcess;
  /** The environment the replicas run with (for running the CLI against the same deployment). */
  env: Record<string, string>;
  stop: () => Promise<void>;
};

/**
 * One deployment on a fresh real Postgres and the real Redis: the same
 * issuer and secrets for every process, as replicas behind a load balancer.
 */
export async function startDeployment(extraEnv: Record<string, string> = {}): Promise<Deployment> {
  const db = await freshPostgres();
  const secrets = randomBytes(32).toString('base64url');
  const pagesPort = await freePort();
  const issuer = `http://localhost:${pagesPort}`;
  const env = { DATABASE_URL: db.url, REDIS_URL: realRedisUrl!, LATCHKEY_SECRETS: secrets, LATCHKEY_ISSUER: issuer, ...extraEnv };
  const pages = await startTestServer({ databaseUrl: db.url, secrets, port: pagesPort, env: { LATCHKEY_ISSUER: issuer } });
  const [a, b] = await Promise.all([
    freePort().then((port) => spawnServer({ ...env, PORT: String(port) })),
    freePort().then((port) => spawnServer({ ...env, PORT: String(port) })),
  ]);
  return {
    db,
    pages,
    a,
    b,
    env,
    async stop() {
      await Promise.all([a.stop(), b.stop()]);
      await pages.stop();
      await db.close();
    },
  };
}
