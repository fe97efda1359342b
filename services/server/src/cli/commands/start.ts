import type { CommandModule } from '../context.ts';

export const start: CommandModule = (program, ctx) => {
  program
    .command('start')
    .description('start the server (embedded PGlite migrates itself; with DATABASE_URL pending migrations stop the start unless --migrate)')
    .option('--migrate', 'apply pending migrations before serving')
    .action(async (options: { migrate?: boolean }) => {
      // Loaded on demand so operator commands don't pay for the whole server.
      const { startServer } = await import('../../server.ts');
      const running = await startServer({ config: ctx.config(), migrate: options.migrate === true });
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          running.logger.info({ signal }, 'shutting down');
          // SIGTERM (an orchestrator, a rolling restart) drains first; Ctrl-C stops at once.
          (signal === 'SIGTERM' ? running.shutdown() : running.close()).then(resolve, resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
};
