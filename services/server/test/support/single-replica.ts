import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { Keyring } from '../../src/crypto/keyring.ts';
import { insertClient } from '../../src/db/clients.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from './own-services.ts';
import { spawnServer, type ServerProcess } from './process.ts';
import { freePort } from './server.ts';

export type SingleReplica = {
  pg: OwnPostgres;
  redis: OwnRedis;
  knex: Knex;
  replica: ServerProcess;
  env: Record<string, string>;
  client: { client_id: string; client_secret: string };
  /** A client_credentials token request (touches the database: client lookup, token row). */
  token: () => Promise<Response>;
  stop: () => Promise<void>;
};

/** One `latchkey start` on a Postgres and a Redis of the test's own (which the test may stop or slow). */
export async function startSingleReplica(options: { databaseUrl?: (pg: OwnPostgres) => Promise<string>; env?: Record<string, string> } = {}): Promise<SingleReplica> {
  const [pg, redis] = await Promise.all([startOwnPostgres(), startOwnRedis()]);
  const direct = await pg.createDatabase('latchkey');
  const knex = knexFactory({ client: 'pg', connection: direct, pool: { min: 0, max: 2 } });
  await migrateLatest(knex);
  const secrets = randomBytes(32).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  const client_id = randomBytes(12).toString('base64url');
  await insertClient(knex, {
    id: client_id, name: `client-${client_id}`, secret_hash: new Keyring([secrets]).hash('client-secret', secret),
    redirect_uris: ['http://127.0.0.1:9999/callback'], post_logout_redirect_uris: [], grant_types: ['client_credentials'],
    response_types: [], scope: '', token_endpoint_auth_method: 'client_secret_basic', first_party: false, metadata: {},
  });
  const port = await freePort();
  const env = {
    DATABASE_URL: options.databaseUrl ? await options.databaseUrl(pg) : direct,
    REDIS_URL: redis.url,
    LATCHKEY_SECRETS: secrets,
    LATCHKEY_ISSUER: `http://localhost:${port}`,
    PORT: String(port),
    ...options.env,
  };
  const replica = await spawnServer(env);
  const basic = `Basic ${Buffer.from(`${client_id}:${secret}`).toString('base64')}`;
  return {
    pg, redis, knex, replica, env,
    client: { client_id, client_secret: secret },
    token: () =>
      fetch(`${replica.url}/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
        signal: AbortSignal.timeout(30_000),
      }),
    async stop() {
      await replica.stop('SIGKILL');
      await knex.destroy();
      await Promise.all([pg.close(), redis.close()]);
    },
  };
}

/** Runs `work` and returns what it gave and how long it took (ms). */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}
