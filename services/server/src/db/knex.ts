import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import ClientPGLite from 'knex-pglite';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.ts';

// Return timestamps as Date and bigint counts as numbers on both backends.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Db = Readonly<{
  knex: Knex;
  kind: 'postgres' | 'pglite';
  close: () => Promise<void>;
}>;

/** Bounds that keep a slow or absent database from piling requests up (seconds; 0 = no statement timeout). */
export type DbTimeouts = { acquireSeconds: number; statementSeconds: number };

export type DbOptions =
  | { databaseUrl: string; poolMax?: number; timeouts?: DbTimeouts }
  | { dataDir: string }
  /** An already-open PGlite instance (tests share one; it costs ~2 s and hundreds of MB). */
  | { pglite: PGlite };

export async function createDb(options: DbOptions): Promise<Db> {
  if ('databaseUrl' in options) {
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
  let pglite: PGlite;
  let unlock: (() => Promise<void>) | undefined;
  if ('pglite' in options) {
    pglite = options.pglite;
  } else {
    const dir = path.join(options.dataDir, 'pgdata');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    unlock = await lockDataDir(options.dataDir);
    pglite = new PGlite(dir);
  }
  const knex = knexFactory({ client: ClientPGLite as unknown as typeof knexFactory.Client, connection: { pglite } as never });
  return {
    knex,
    kind: 'pglite',
    close: async () => {
      // knex-pglite closes the instance when the pool is destroyed; keep shared ones open.
      if (!unlock) return;
      await knex.destroy();
      await unlock();
    },
  };
}
