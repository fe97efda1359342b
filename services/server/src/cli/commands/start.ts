import { startTracing } from '../../tracing/index.ts';
import type { CommandModule } from '../context.ts';

export const start: CommandModule = (program, ctx) => {
  program
    .command('start')
    .description('start the server (embedded PGlite migrates itself; with DATABASE_URL pending migrations stop the start unless --migrate)')
    .option('--migrate', 'apply pending migrations before serving')
    .action(async (options: { migrate?: boolean }) => {
      const config = ctx.config();
      // Tracing first, so its instrumentations are in place before the server loads pg and ioredis.
      const { endpoint, serviceName } = config.tracing;
      const tracing = endpoint ? await startTracing({ endpoint, serviceName }) : undefined;
      // Loaded on demand so operator commands don't pay for the whole server.
      const { startServer } = await import('../../server.ts');
      const running = await startServer({ config, migrate: options.migrate === true });
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          running.logger.info({ signal }, 'shutting down');
          // SIGTERM (an orchestrator, a rolling restart) drains first; Ctrl-C stops at once.
          (signal === 'SIGTERM' ? running.shutdown() : running.close())
            .then(() => tracing?.shutdown())
            .then(resolve, resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
};
