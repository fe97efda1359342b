import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { buildListener, type AppOptions } from './app.ts';
import type { Config } from './config/env.ts';
import { resolveSecrets } from './config/secrets.ts';
import { Keyring } from './crypto/keyring.ts';
import { createDb, type Db } from './db/knex.ts';
import { assertNoPendingMigrations, migrateLatest } from './db/migrate.ts';
import { startPurge } from './db/purge.ts';
import { drainable } from './http/health.ts';
import { createLogger, type Logger } from './http/logger.ts';
import { subscribeEvents } from './events/publish.ts';
import { createMailer } from './mail/mailer.ts';
import { createSmsSender } from './phone/sms.ts';
import { findClientMetadata } from './db/oidc-clients.ts';
import { createAdapter } from './oidc/adapter.ts';
import { MAX_SIGNED_TOKEN_TTL } from './oidc/configuration.ts';
import { ensureSigningKeys, loadSigningKeys } from './oidc/keys.ts';
import { metadataCache } from './oidc/metadata-cache.ts';
import { resolveApiResource } from './oidc/resources.ts';
import { watchSigningKeys } from './oidc/key-watch.ts';
import { ProviderHolder } from './oidc/provider.ts';
import { countRefusals, createMetrics, observeBackends, observeProvider, startMetricsServer, type Metrics } from './metrics/index.ts';
import { limiterFor } from './ratelimit/index.ts';
import { createStore, type Store } from './store/index.ts';
import { startTracing } from './tracing/index.ts';
import { startBackchannelWorker, type BackchannelWorkerOptions } from './backchannel/worker.ts';
import { configureOutbound } from './http/outbound.ts';
import { startWebhookWorker, type WebhookWorkerOptions } from './webhooks/worker.ts';
import { SetSigner } from './signals/signer.ts';
import { registerWakeStore } from './outbox/wake.ts';
import { startSignalsWorker, type SignalsWorkerOptions } from './signals/worker.ts';

export type ServerOptions = {
  config: Config;
  /** Apply pending migrations before serving (always done on embedded PGlite). */
  migrate?: boolean;
  logger?: Logger;
  /** Use this PGlite instance instead of one in the data dir (tests). */
  pglite?: PGlite;
  /** Listen on this port instead of config.port (0 = any free port). */
  port?: number;
  host?: string;
  /** Webhook delivery worker settings (tests shorten the intervals). */
  webhooks?: Partial<WebhookWorkerOptions>;
  /** Back-channel logout delivery worker settings (tests shorten the intervals). */
  backchannel?: Partial<BackchannelWorkerOptions>;
  /** Shared Signals push worker settings (tests shorten the intervals). */
  signals?: Partial<SignalsWorkerOptions>;
} & AppOptions;

export type RunningServer = {
  url: string;
  server: Server;
  db: Db;
  store: Store;
  providers: ProviderHolder;
  logger: Logger;
  metrics: Metrics;
  /** The separate metrics listener's /metrics, when LATCHKEY_METRICS_PORT is set. */
  metricsUrl: string | undefined;
  close: () => Promise<void>;
  /** SIGTERM: /readyz turns 503, requests keep being served for config.shutdownDrainSeconds, then close(). */
  shutdown: () => Promise<void>;
};

/** config → db → store → keys → provider → listen. `close` shuts down in the reverse order. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  // First: production without SMTP_URL is refused before anything opens.
  const mailer = createMailer({ config, logger });
  const sms = createSmsSender({ config, logger });
  configureOutbound({ allowPrivate: config.outboundPrivate });
  if (config.outboundPrivate) {
    logger.warn('LATCHKEY_OUTBOUND_PRIVATE=allow: URLs clients supply (jwks_uri, request_uri, client ID metadata documents, back-channel logout URIs) may reach private and loopback addresses; for development and tests only');
  }
  const keyring = new Keyring(await resolveSecrets(config));
  // Before the database opens (`latchkey start` has started it even earlier, before importing this module).
  const { endpoint, serviceName } = config.tracing;
  const tracing = endpoint ? await startTracing({ endpoint, serviceName }) : undefined;

  const db = await createDb(
    options.pglite
      ? { pglite: options.pglite }
      : config.databaseUrl
        ? {
            databaseUrl: config.databaseUrl,
            poolMax: config.db.poolMax,
            timeouts: { acquireSeconds: config.db.acquireTimeoutSeconds, statementSeconds: config.db.statementTimeoutSeconds },
          }
        : { dataDir: config.dataDir, share: 'serve' as const },
  );
  const cleanup: Array<() => Promise<void> | void> = [() => db.close(), () => mailer.close()];
  const closeAll = async () => {
    for (const step of cleanup.reverse()) await Promise.resolve(step()).catch((err) => logger.error({ err }, 'shutdown step failed'));
  };

  try {
    if (db.kind === 'pglite' || options.migrate) {
      const applied = await withMigrationDb(db, config, migrateLatest);
      if (applied.length) logger.info({ applied }, 'migrations applied');
    } else {
      await assertNoPendingMigrations(db.knex);
    }
    // Migrated: the CLI and psql may now reach the embedded database through this process.
    await db.share?.().then(
      (socket) => logger.info({ socket }, 'embedded database shared with the CLI and psql'),
      (err: unknown) => logger.warn({ err }, 'embedded database not shared: CLI commands cannot run beside this server'),
    );

    const store = await createStore({ redisUrl: config.redisUrl });
    cleanup.push(() => store.close());
    const metrics = createMetrics();
    cleanup.push(observeBackends(metrics, { db, store }));
    if (tracing) {
      cleanup.push(() => tracing.flush());
      if (db.kind === 'pglite') cleanup.push(tracing.traceKnex(db.knex));
    }

    await ensureSigningKeys({ db, keyring });
    const keys = await loadSigningKeys({ db, keyring, maxTokenTtlSeconds: MAX_SIGNED_TOKEN_TTL });
    const limiter = countRefusals(limiterFor({ config, store, keyring }), metrics);
    // Clients and API resources are read on every token request: cached for at most a second, and
    // dropped at once on every replica when one changes through a replica (src/oidc/metadata-cache.ts).
    const clients = metadataCache((id: string) => findClientMetadata(db.knex, id));
    const resources = metadataCache((identifier: string) => resolveApiResource(db.knex, config.issuer, identifier));
    cleanup.push(await subscribeEvents(store, 'clients:changed', ({ clientId }) => clients.invalidate(typeof clientId === 'string' ? clientId : undefined)));
    cleanup.push(await subscribeEvents(store, 'resources:changed', () => resources.invalidate()));
    // A change made through this replica drops its own entries as it is announced, not when its own
    // message comes back from Redis: the admin API answered first, and the next request here could
    // still be served the old client. Dropping again on the message is harmless. (The store is this
    // server's own.)
    const publish = store.publish.bind(store);
    store.publish = (channel, message) => {
      if (channel === 'clients:changed') clients.invalidate();
      if (channel === 'resources:changed') resources.invalidate();
      return publish(channel, message);
    };
    const providers = new ProviderHolder(
      { config, knex: db.knex, keyring, adapter: createAdapter(db, keyring, { store, clients }), clients, resources, logger, store, limiter, observe: observeProvider(metrics) },
      structuredClone(keys.jwks),
    );

    const stopKeys = watchSigningKeys({
      db,
      keyring,
      intervalMs: config.keyRefreshSeconds * 1000,
      maxTokenTtlSeconds: MAX_SIGNED_TOKEN_TTL,
      since: keys.fingerprint,
      logger,
      onChange: (next) => {
        providers.swapKeys(structuredClone(next.jwks));
        logger.info('signing keys changed; provider reloaded');
      },
    });
    cleanup.push(stopKeys);
    providers.reloadKeysBeforeJwks(() => stopKeys.refresh());
    // A revoked key must leave every replica's JWKS at once, not at the next poll.
    const stopKeyEvents = await subscribeEvents(store, 'signing-keys:changed', () => stopKeys.refresh());
    cleanup.push(stopKeyEvents);
    const stopPurge = startPurge(db, { intervalMs: 60_000, batchSize: 500, logger });
    cleanup.push(stopPurge);
    const webhookWorker = startWebhookWorker({ knex: db.knex, keyring, logger }, options.webhooks);
    cleanup.push(() => webhookWorker.stop());
    // Logouts and security events enqueued in this process wake the workers and long polls of every replica.
    cleanup.push(registerWakeStore(store));
    const backchannelWorker = await startBackchannelWorker({ knex: db.knex, store, provider: () => providers.current, logger }, options.backchannel);
    cleanup.push(() => backchannelWorker.stop());
    const signalsWorker = await startSignalsWorker(
      { knex: db.knex, store, logger, issuer: config.issuer, keyring, signer: new SetSigner(() => providers.signingJwks) },
      options.signals,
    );
    cleanup.push(() => signalsWorker.stop());

    const drain = drainable(buildListener({ config, db, store, providers, logger, keyring, mailer, sms, limiter, metrics }, options));
    const server = createServer(drain.listener);
    server.listen(options.port ?? config.port, options.host ?? '0.0.0.0');
    await once(server, 'listening');
    // Connections idle between requests must not hold shutdown open.
    server.keepAliveTimeout = 5_000;
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // In-flight requests get ten seconds to finish.
          setTimeout(() => {
            server.closeAllConnections();
          }, 10_000).unref();
        }),
    );
    const { port } = server.address() as AddressInfo;
    const url = `http://localhost:${port}`;
    logger.info({ url, issuer: config.issuer, database: db.kind, store: store.kind }, 'latchkey listening');
    const shutdown = async () => {
      drain.drain();
      if (config.shutdownDrainSeconds > 0) {
        logger.info({ seconds: config.shutdownDrainSeconds }, 'draining: /readyz answers 503 before the listener closes');
        await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainSeconds * 1000));
      }
      await closeAll();
    };
    let metricsUrl: string | undefined;
    if (config.metrics.port !== undefined) {
      const metricsServer = await startMetricsServer({ metrics, token: config.metrics.token, port: config.metrics.port, host: options.host ?? '0.0.0.0' });
      cleanup.push(() => metricsServer.close());
      metricsUrl = metricsServer.url;
    }
    return { url, server, db, store, providers, logger, metrics, metricsUrl, close: closeAll, shutdown };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * Migrations wait on a lock held by any other migrator and may rewrite big
 * tables: on Postgres they run on their own connections, without the
 * statement timeout that bounds requests.
 */
async function withMigrationDb<T>(db: Db, config: Config, work: (knex: Db['knex']) => Promise<T>): Promise<T> {
  if (db.kind !== 'postgres' || !config.databaseUrl) return work(db.knex);
  const own = await createDb({ databaseUrl: config.databaseUrl, poolMax: 2 });
  try {
    return await work(own.knex);
  } finally {
    await own.close();
  }
}
