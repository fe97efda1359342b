import { migrateLatest, migrateRollback, migrationStatus } from '../../db/migrate.ts';
import type { CliContext, CommandModule } from '../context.ts';

/**
 * Turns driver errors into one line: connection failures can arrive as an
 * AggregateError with an empty message (one attempt per address family), and
 * knex prefixes failed statements with their multi-line SQL.
 */
function oneLine(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const inner = error instanceof AggregateError && !error.message ? (error.errors[0] as Error | undefined) : undefined;
  const cause = inner ?? error;
  const code = (cause as { code?: unknown }).code;
  const message = (cause.message || String(code ?? 'unknown error')).replace(/\s+/g, ' ').trim();
  const connection = typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|28P01|28000|3D000)$/.test(code);
  return new Error(connection ? `cannot connect to the database: ${message}` : message);
}

async function withDb<T>(ctx: CliContext, work: (db: Awaited<ReturnType<CliContext['rawDb']>>) => Promise<T>): Promise<T> {
  const db = await ctx.rawDb();
  try {
    return await work(db);
  } catch (error) {
    throw oneLine(error);
  }
}

const list = (names: string[]) => names.map((name) => `  ${name}`).join('\n');

/** `latchkey migrate latest|rollback|status`: apply, revert and inspect schema migrations. */
export const registerMigrateCommands: CommandModule = (program, ctx) => {
  const migrate = program.command('migrate').description('database schema migrations');

  migrate
    .command('latest')
    .description('apply every pending migration (safe to run from several replicas at once)')
    .action(async () => {
      const applied = await withDb(ctx, (db) => migrateLatest(db.knex));
      ctx.print(
        { applied },
        applied.length === 0 ? 'Already up to date.' : `Applied ${applied.length} migration(s):\n${list(applied)}`,
      );
    });

  migrate
    .command('rollback')
    .description('revert the last batch of migrations')
    .option('--all', 'revert every applied migration')
    .action(async (options: { all?: boolean }) => {
      const rolledBack = await withDb(ctx, (db) => migrateRollback(db.knex, options.all === true));
      ctx.print(
        { rolled_back: rolledBack },
        rolledBack.length === 0
          ? 'Nothing to roll back.'
          : `Rolled back ${rolledBack.length} migration(s):\n${list(rolledBack)}`,
      );
    });

  migrate
    .command('status')
    .description('list applied and pending migrations')
    .action(async () => {
      const status = await withDb(ctx, (db) => migrationStatus(db.knex));
      const lines = [
        ...status.applied.map((name) => `applied   ${name}`),
        ...status.pending.map((name) => `pending   ${name}`),
        ...status.unknown.map((name) => `unknown   ${name}  (applied by a newer Latchkey)`),
      ];
      ctx.print(status, lines.length === 0 ? 'No migrations.' : lines.join('\n'));
    });
};
