// A process that takes the embedded database lock, as `latchkey start` does,
// and holds it until its stdin closes. Prints one JSON line saying how it went.
//   node data-dir-lock-worker.ts DATA_DIR STALE_MS [START_AT_EPOCH_MS]
import { setTimeout as sleep } from 'node:timers/promises';
import { DataDirInUseError, lockDataDir } from '../../src/db/data-dir-lock.ts';

const [dataDir, staleMs, startAt] = process.argv.slice(2);
if (startAt) await sleep(Math.max(0, Number(startAt) - Date.now()));
const say = (result: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ pid: process.pid, ...result })}\n`);

try {
  const release = await lockDataDir(dataDir!, {
    staleMs: Number(staleMs),
    onLost: (error) => {
      say({ lost: error.message });
      process.exit(3);
    },
  });
  say({ locked: true });
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await release();
    process.exit(0);
  });
} catch (error) {
  if (!(error instanceof DataDirInUseError)) throw error;
  say({ locked: false, message: error.message });
  process.exit(0);
}
