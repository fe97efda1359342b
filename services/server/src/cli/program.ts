import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/env.ts';
import { HttpError } from '../http/errors.ts';
import { clients } from './commands/clients.ts';
import { grants } from './commands/grants.ts';
import { invitations } from './commands/invitations.ts';
import { resources } from './commands/resources.ts';
import { sessions } from './commands/sessions.ts';
import { ssf } from './commands/ssf.ts';
import { start } from './commands/start.ts';
import { users } from './commands/users.ts';
import { CliError, createCliContext, type CommandModule } from './context.ts';
import { registerKeysCommands } from './commands/keys.ts';
import { registerMigrateCommands } from './commands/migrate.ts';

// Each command lives in its own module under ./commands and registers itself here.
const modules: CommandModule[] = [start, clients, resources, registerMigrateCommands, registerKeysCommands, users, invitations, sessions, grants, ssf];

const program = new Command('latchkey')
  .description('Latchkey identity provider: server and operator commands')
  .option('--json', 'print one JSON object on stdout and nothing else')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

const ctx = createCliContext(program);
for (const register of modules) register(program, ctx);

function fail(message: string, code: number): never {
  if (program.opts().json) process.stderr.write(`${JSON.stringify({ error: message })}\n`);
  else process.stderr.write(`latchkey: ${message}\n`);
  process.exit(code);
}

try {
  await program.parseAsync(process.argv);
  await ctx.close();
} catch (error) {
  await ctx.close().catch(() => {});
  if (error instanceof CommanderError) {
    // help and version exit 0; commander already printed usage errors, which exit 2 like our own.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (error instanceof CliError) fail(error.message, 2);
  if (error instanceof ConfigError) fail(error.message, 2);
  // A shared service (src/clients, src/resources …) refused the input: the operator's mistake, not a crash.
  if (error instanceof HttpError && error.expose && error.status < 500) fail(error.message, 2);
  fail(error instanceof Error ? error.message : String(error), 1);
}
