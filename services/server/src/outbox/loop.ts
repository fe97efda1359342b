import type { Logger } from '../http/logger.ts';

export type OutboxLoop = { stop: () => Promise<void>; wake: () => void };

/**
 * Runs an outbox worker's passes: one at a time, every `pollMs`, and at once
 * when woken (a wake-up during a pass runs another right after it). A pass
 * that handled a full batch is followed by another before sleeping.
 * `housekeeping` runs at most hourly (purging old rows).
 */
export function startOutboxLoop(options: {
  name: string;
  pollMs: number;
  batchSize: number;
  logger: Logger;
  runBatch: () => Promise<number>;
  housekeeping?: () => Promise<unknown>;
}): OutboxLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let lastHousekeeping = 0;

  const pass = async () => {
    try {
      while (!stopped && (await options.runBatch()) === options.batchSize);
      if (options.housekeeping && Date.now() - lastHousekeeping > 60 * 60_000) {
        lastHousekeeping = Date.now();
        await options.housekeeping();
      }
    } catch (err) {
      if (!stopped) options.logger.error({ err }, `${options.name} worker pass failed`);
    }
  };

  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = pass().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        run();
      } else schedule();
    });
  };
  const schedule = () => {
    if (!stopped) timer = setTimeout(run, options.pollMs);
  };
  schedule();

  return {
    wake: run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
