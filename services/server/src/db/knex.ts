import type { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import type { EmbeddedOptions } from './embedded.ts';
import { usePgDriver } from './pg-driver.ts';

export type Db = Readonly<{
  knex: Knex;
  kind: 'postgres' | 'pglite';
  close: () => Promise<void>;
  /** The embedded server's: serve this database to the CLI and psql on a socket in the data dir; resolves to its path. */
  share?: () => Promise<string>;
  /** The embedded database reached through a running server's socket (the CLI beside `latchkey start`). */
  viaServer?: boolean;
}>;

/** Bounds that keep a slow or absent database from piling requests up (seconds; 0 = no statement timeout). */
export type DbTimeouts = { acquireSeconds: number; statementSeconds: number };

export type DbOptions =
  | { databaseUrl: string; poolMax?: number; timeouts?: DbTimeouts }
  | EmbeddedOptions
  /** An already-open PGlite instance (tests share one; it costs ~2 s and hundreds of MB). */
  | { pglite: PGlite };

export async function createDb(options: DbOptions): Promise<Db> {
  // Each backend's driver is loaded when it is used: PGlite is ~1 MB of code and a WASM module a
  // PostgreSQL server never needs, and pg is not needed by an embedded one.
  if ('databaseUrl' in options) {
    await usePgDriver();
    const acquireMs = (options.timeouts?.acquireSeconds ?? 10) * 1000;
    const statementMs = (options.timeouts?.statementSeconds ?? 0) * 1000;
    const knex = knexFactory({
      client: 'pg',
      connection: {
        connectionString: options.databaseUrl,
        // A database that does not answer fails the request within the acquire
        // timeout instead of holding it (and its pool slot) open.
        connectionTimeoutMillis: acquireMs,
        ...(statementMs ? { statement_timeout: statementMs, idle_in_transaction_session_timeout: statementMs * 2 } : {}),
      },
      pool: { min: 0, max: options.poolMax ?? 10 },
      acquireConnectionTimeout: acquireMs,
      // knex prints each failed connection attempt with its stack before
      // rethrowing the same error; the caller reports it (the CLI as one line).
      log: {
        warn: (message: string) => {
          if (!String(message).startsWith('Acquire connection error')) process.stderr.write(`knex: ${message}\n`);
        },
      },
    });
    return { knex, kind: 'postgres', close: () => knex.destroy() };
  }
  if ('dataDir' in options) return (await import('./embedded.ts')).openEmbedded(options);
  const { default: ClientPGLite } = await import('knex-pglite');
  const knex = knexFactory({ client: ClientPGLite as unknown as typeof knexFactory.Client, connection: { pglite: options.pglite } as never });
  // knex-pglite closes the instance when the pool is destroyed; a shared one stays open.
  return { knex, kind: 'pglite', close: async () => {} };
}
