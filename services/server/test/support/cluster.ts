import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { Keyring } from '../../src/crypto/keyring.ts';
import { insertClient } from '../../src/db/clients.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { hashPassword } from '../../src/password/hash.ts';
import { canUseHaproxy, startHaproxy, type Haproxy } from './haproxy.ts';
import { canUseOwnServices, startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from './own-services.ts';
import { spawnServer, type ServerProcess } from './process.ts';
import { freePort } from './server.ts';

export const canRunCluster = canUseOwnServices && canUseHaproxy;

export type Cluster = {
  pg: OwnPostgres;
  redis: OwnRedis;
  databaseUrl: string;
  knex: Knex;
  lb: Haproxy;
  /** The issuer: the load balancer's address. */
  issuer: string;
  replicas: ServerProcess[];
  ports: number[];
  env: Record<string, string>;
  /** (Re)starts replica `i` on its port. */
  startReplica: (i: number, extraEnv?: Record<string, string>) => Promise<ServerProcess>;
  createClient: (overrides?: { first_party?: boolean }) => Promise<{ client_id: string; client_secret: string; redirect_uri: string }>;
  createUser: (password: string) => Promise<{ id: string; email: string }>;
  stop: () => Promise<void>;
};

/**
 * Three (by default) `latchkey start` processes behind HAProxy, sharing a
 * Postgres cluster and a Redis server of the test's own.
 */
export async function startCluster(options: { replicas?: number; env?: Record<string, string> } = {}): Promise<Cluster> {
  const [pg, redis] = await Promise.all([startOwnPostgres(), startOwnRedis()]);
  const databaseUrl = await pg.createDatabase('latchkey');
  const knex = knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 4 } });
  await migrateLatest(knex);
  const secrets = randomBytes(32).toString('base64url');
  const keyring = new Keyring([secrets]);
  const lbPort = await freePort();
  const issuer = `http://localhost:${lbPort}`;
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    LATCHKEY_SECRETS: secrets,
    LATCHKEY_ISSUER: issuer,
    LATCHKEY_KEY_REFRESH_SECONDS: '1',
    // Every request reaches the replicas from HAProxy's loopback address: one "client IP" for the whole load.
    LATCHKEY_RATE_LIMITS: 'token.ip=100000/60s, sign-in.ip=100000/1h',
    ...options.env,
  };
  const ports = await Promise.all(Array.from({ length: options.replicas ?? 3 }, () => freePort()));
  const replicas: ServerProcess[] = [];
  const startReplica = async (i: number, extraEnv: Record<string, string> = {}) => {
    replicas[i] = await spawnServer({ ...env, PORT: String(ports[i]), ...extraEnv });
    return replicas[i]!;
  };
  // The first one adds the signing keys and console client; the others find them.
  await startReplica(0);
  await Promise.all(ports.slice(1).map((_, i) => startReplica(i + 1)));
  const lb = await startHaproxy({ port: lbPort, servers: ports.map((port, i) => ({ name: `r${i}`, port })) });
  return {
    pg,
    redis,
    databaseUrl,
    knex,
    lb,
    issuer,
    replicas,
    ports,
    env,
    startReplica,
    async createClient(overrides = {}) {
      const id = randomBytes(12).toString('base64url');
      const secret = randomBytes(32).toString('base64url');
      const redirectUri = 'http://127.0.0.1:9999/callback';
      await insertClient(knex, {
        id,
        name: `client-${id}`,
        secret_hash: keyring.hash('client-secret', secret),
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        response_types: ['code'],
        scope: 'openid offline_access profile email',
        token_endpoint_auth_method: 'client_secret_basic',
        first_party: overrides.first_party ?? false,
        metadata: {},
      });
      return { client_id: id, client_secret: secret, redirect_uri: redirectUri };
    },
    async createUser(password) {
      const email = `user-${randomBytes(6).toString('hex')}@example.com`;
      const [row] = await knex('users')
        .insert({ email, email_verified: true, first_name: 'Ada', last_name: 'Lovelace', password_hash: await hashPassword(password) })
        .returning('id');
      return { id: (row as { id: string }).id, email };
    },
    async stop() {
      await lb.close();
      await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
      await knex.destroy();
      await Promise.all([pg.close(), redis.close()]);
    },
  };
}
