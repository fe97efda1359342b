import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/env.ts';
import { HttpError } from '../http/errors.ts';
import { CliError, createCliContext } from './context.ts';
import { commandsFor } from './commands/index.ts';

const program = new Command('latchkey')
  .description('Latchkey identity provider: server and operator commands')
  .option('--json', 'print one JSON object on stdout and nothing else')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

const ctx = createCliContext(program);
for (const register of await commandsFor(process.argv.slice(2))) register(program, ctx);

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
