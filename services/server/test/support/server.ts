import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import express from 'express';
import { loadConfig } from '../../src/config/env.ts';
import { Keyring } from '../../src/crypto/keyring.ts';
import { insertApiResource } from '../../src/db/api-resources.ts';
import { insertClient, type NewClient } from '../../src/db/clients.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.ts';
import { freshPostgres, realDatabaseUrl, realRedisUrl } from './backends.ts';
import { startMailCatcher, type MailCatcher } from './smtp.ts';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export type TestServer = RunningServer & {
  issuer: string;
  keyring: Keyring;
  createClient: (client?: Partial<NewClient> & { public?: boolean }) => Promise<{ client_id: string; client_secret?: string; redirect_uri: string }>;
  createUser: (fields?: Record<string, unknown>) => Promise<string>;
  createResource: (identifier: string, scopes: string[], ttl?: number) => Promise<void>;
  stop: () => Promise<void>;
};

export type TestServerOptions = {
  backend?: 'pglite' | 'postgres';
  env?: Record<string, string>;
  /** Share a PGlite across servers (it is one process-local database). */
  pglite?: PGlite;
  /** Join an existing real database (replica tests) instead of making a fresh one. */
  databaseUrl?: string;
  secrets?: string;
  port?: number;
  /** Listen on this address (default 127.0.0.1). */
  host?: string;
  /** Webhook worker settings (short intervals for delivery tests). */
  webhooks?: ServerOptions['webhooks'];
  backchannel?: ServerOptions['backchannel'];
  /** Shared Signals push worker settings. */
  signals?: ServerOptions['signals'];
  /** Log here instead of nowhere (tests that check what is, and is not, logged). */
  logger?: ServerOptions['logger'];
};

export const canUseRealServices = Boolean(realDatabaseUrl && realRedisUrl);

/**
 * A real Latchkey server on a free port, with a route that finishes an
 * interaction (sign-in + consent) for a given user — the stand-in for the
 * hosted pages, mounted only here.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const port = options.port ?? (await freePort());
  const issuer = options.env?.LATCHKEY_ISSUER ?? `http://localhost:${port}`;
  const secrets = options.secrets ?? randomBytes(32).toString('base64url');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-test-'));
  const pg = options.backend === 'postgres' && !options.databaseUrl ? await freshPostgres({ migrate: false }) : undefined;
  const databaseUrl = options.databaseUrl ?? pg?.url;
  const ownPglite = !databaseUrl && !options.pglite ? await PGlite.create() : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    LATCHKEY_ISSUER: issuer,
    PORT: String(port),
    LATCHKEY_SECRETS: secrets,
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_LOG_LEVEL: 'silent',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, REDIS_URL: realRedisUrl ?? '' } : {}),
    ...options.env,
  });
  const keyring = new Keyring([secrets]);
  let running: RunningServer;
  running = await startServer({
    config,
    migrate: true,
    pglite: databaseUrl ? undefined : (options.pglite ?? ownPglite),
    port,
    host: options.host ?? '127.0.0.1',
    webhooks: options.webhooks,
    backchannel: options.backchannel,
    signals: options.signals,
    logger: options.logger,
    mount: (app) => {
      app.post('/__test/interaction/:uid', express.urlencoded({ extended: false }), async (req, res, next) => {
        try {
          const provider = running.providers.current;
          const details = await provider.interactionDetails(req, res);
          const accountId = String(req.body.account);
          const params = details.params as Record<string, string | undefined>;
          const grant = new provider.Grant({ accountId, clientId: params.client_id! });
          if (params.scope) grant.addOIDCScope(params.scope);
          if (params.resource) grant.addResourceScope(params.resource, params.scope ?? '');
          const grantId = await grant.save();
          await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
        } catch (error) {
          next(error);
        }
      });
    },
  });
  const { knex } = running.db;

  return {
    ...running,
    issuer,
    keyring,
    async createClient(overrides = {}) {
      const { public: isPublic, ...fields } = overrides;
      const id = randomBytes(12).toString('base64url');
      const secret = isPublic ? undefined : randomBytes(32).toString('base64url');
      const redirectUri = 'http://127.0.0.1:9999/callback';
      await insertClient(knex, {
        id,
        name: `client-${id}`,
        secret_hash: secret ? keyring.hash('client-secret', secret) : null,
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: ['http://127.0.0.1:9999/logged-out'],
        grant_types: ['authorization_code', 'refresh_token', ...(isPublic ? [] : ['client_credentials']), 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
        scope: 'openid offline_access profile email phone',
        token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
        first_party: false,
        metadata: {},
        ...fields,
      });
      return { client_id: id, client_secret: secret, redirect_uri: redirectUri };
    },
    async createUser(fields = {}) {
      const [row] = await knex('users')
        .insert({ email: `user-${randomBytes(6).toString('hex')}@example.com`, email_verified: true, first_name: 'Ada', last_name: 'Lovelace', ...fields })
        .returning('id');
      return (row as { id: string }).id;
    },
    async createResource(identifier, scopes, ttl = 600) {
      await insertApiResource(knex, { identifier, name: null, scopes, access_token_ttl: ttl, signing_alg: 'RS256' });
    },
    async stop() {
      await running.close();
      if (ownPglite) await ownPglite.close();
      if (pg) await pg.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type MailTestServer = TestServer & { mail: MailCatcher };

/** A test server whose mail goes to a real SMTP server the test can read. */
export async function startTestServerWithMail(options: TestServerOptions = {}): Promise<MailTestServer> {
  const mail = await startMailCatcher();
  const server = await startTestServer({ ...options, env: { SMTP_URL: mail.url, ...options.env } });
  return {
    ...server,
    mail,
    async stop() {
      await server.stop();
      await mail.close();
    },
  };
}

/** A test server whose database an operator's CLI can reach too: its own real Postgres when the suite has one (the URL given), else PGlite. */
export type CliReachableServer = TestServer & { secrets: string; databaseUrl: string | undefined };

export async function startCliReachableServer(): Promise<CliReachableServer> {
  const secrets = randomBytes(32).toString('base64url');
  const pg = realDatabaseUrl ? await freshPostgres({ migrate: false }) : undefined;
  const server = await startTestServer({ secrets, ...(pg ? { databaseUrl: pg.url } : {}) });
  return {
    ...server,
    secrets,
    databaseUrl: pg?.url,
    async stop() {
      await server.stop();
      await pg?.close();
    },
  };
}
