import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/env.ts';
import { resolveSecrets } from '../config/secrets.ts';
import { Keyring } from '../crypto/keyring.ts';
import { createDb, type Db } from '../db/knex.ts';
import { assertNoPendingMigrations, migrateLatest } from '../db/migrate.ts';

/** A mistake in what the operator typed: printed as one line, exit code 2, never a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
}

export type CliContext = {
  config: () => Config;
  /**
   * The database named by the config, ready to use: the embedded one migrates
   * itself (as `start` does), or is reached through the running server that
   * holds it; PostgreSQL with pending migrations is refused, naming them.
   * The runner closes it after the command.
   */
  db: () => Promise<Db>;
  /** The same database as it is, for the migrate commands. */
  rawDb: () => Promise<Db>;
  keyring: () => Promise<Keyring>;
  /** With --json prints `data` as one JSON object; otherwise the human text. Nothing else goes to stdout. */
  print: (data: Record<string, unknown>, human: string) => void;
};

export type CommandModule = (program: Command, ctx: CliContext) => void;

export function createCliContext(program: Command, env?: NodeJS.ProcessEnv): CliContext & { close: () => Promise<void> } {
  let config: Config | undefined;
  let opened: Promise<Db> | undefined;
  let ready: Promise<Db> | undefined;
  const getConfig = () => (config ??= loadConfig(env));
  const open = () => {
    const { databaseUrl, dataDir } = getConfig();
    // Beside a running embedded server, through its socket: nothing has to be stopped.
    return (opened ??= createDb(databaseUrl ? { databaseUrl } : { dataDir, share: 'join' }));
  };
  return {
    config: getConfig,
    rawDb: open,
    db: () =>
      (ready ??= open().then(async (db) => {
        // The running server migrated its own database; one older than this CLI is named, not changed under it.
        if (db.kind === 'pglite' && !db.viaServer) await migrateLatest(db.knex);
        else await assertNoPendingMigrations(db.knex);
        return db;
      })),
    keyring: async () => new Keyring(await resolveSecrets(getConfig())),
    print: (data, human) => {
      process.stdout.write(program.opts().json ? `${JSON.stringify(data)}\n` : `${human}\n`);
    },
    close: async () => {
      if (opened) await (await opened).close();
    },
  };
}
