import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/env.ts';
import { resolveSecrets } from '../config/secrets.ts';
import { Keyring } from '../crypto/keyring.ts';
import { createDb, type Db } from '../db/knex.ts';

/** A mistake in what the operator typed: printed as one line, exit code 2, never a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
}

export type CliContext = {
  config: () => Config;
  /** Opens the database named by the config; the runner closes it after the command. */
  db: () => Promise<Db>;
  keyring: () => Promise<Keyring>;
  /** With --json prints `data` as one JSON object; otherwise the human text. Nothing else goes to stdout. */
  print: (data: Record<string, unknown>, human: string) => void;
};

export type CommandModule = (program: Command, ctx: CliContext) => void;

export function createCliContext(program: Command, env: NodeJS.ProcessEnv = process.env): CliContext & { close: () => Promise<void> } {
  let config: Config | undefined;
  let db: Promise<Db> | undefined;
  const getConfig = () => (config ??= loadConfig(env));
  return {
    config: getConfig,
    db: () => (db ??= createDb(getConfig().databaseUrl ? { databaseUrl: getConfig().databaseUrl! } : { dataDir: getConfig().dataDir })),
    keyring: async () => new Keyring(await resolveSecrets(getConfig())),
    print: (data, human) => {
      process.stdout.write(program.opts().json ? `${JSON.stringify(data)}\n` : `${human}\n`);
    },
    close: async () => {
      if (db) await (await db).close();
    },
  };
}
