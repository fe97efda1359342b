import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';

/**
 * PGlite is one database in one process: two processes writing the same data
 * dir would corrupt it. Whoever opens the embedded database first holds a
 * lock there; a second opener is refused with a clear message until the
 * first lets go (a CLI command instead uses a running server's socket, or
 * waits its turn: embedded.ts).
 *
 * A pid file cannot tell who holds it once processes run in containers (two
 * containers sharing the volume are both PID 1, and neither sees the other's
 * pids), so the lock is proper-lockfile's: a directory created atomically
 * whose mtime the holder refreshes. One nobody refreshed for `staleMs`
 * belongs to a process that is gone and may be taken over.
 *
 * proper-lockfile's takeover (stat, rmdir, mkdir) is not atomic: two
 * processes that both found the lock stale could both remove it and both end
 * up "holding" it. So every attempt first announces itself with a claim
 * directory of its own and goes ahead only if no other live claim exists;
 * two that collide both back off and retry, so at most one process is ever
 * inside the check-and-take step.
 */

export type DataDirLockOptions = {
  /** A lock not refreshed for this long is stale (proper-lockfile's floor is 2 s; it refreshes every staleMs / 2). */
  staleMs?: number;
  /** Called when a held lock is lost (its directory removed, or taken over after this process stalled past staleMs). */
  onLost?: (error: Error) => void;
};

/** The embedded database is someone else's right now. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(dataDir: string, hint = 'stop it first, or run every process against PostgreSQL with DATABASE_URL') {
    super(`the embedded database in ${dataDir} is in use by another Latchkey process; ${hint}`);
  }
}

const DEFAULT_STALE_MS = 10_000;
/** Colliding claims back off and retry this often before giving up. */
const CLAIM_ATTEMPTS = 40;

export async function lockDataDir(dataDir: string, options: DataDirLockOptions = {}): Promise<() => Promise<void>> {
  const staleMs = Math.max(options.staleMs ?? DEFAULT_STALE_MS, 2000);
  const target = path.join(dataDir, 'pgdata');
  const lockfilePath = path.join(dataDir, 'embedded.lock');
  const claims = path.join(dataDir, 'embedded.lock.claims');
  await mkdir(target, { recursive: true, mode: 0o700 });
  await mkdir(claims, { recursive: true, mode: 0o700 });

  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
    const mine = randomUUID();
    await mkdir(path.join(claims, mine));
    try {
      if (!(await anotherLiveClaim(claims, mine, staleMs))) {
        const release = await lockfile
          .lock(target, { lockfilePath, stale: staleMs, realpath: false, retries: 0, onCompromised: options.onLost ?? stopOnLostLock(dataDir) })
          .catch((error: NodeJS.ErrnoException) => {
            if (error.code === 'ELOCKED') throw new DataDirInUseError(dataDir);
            throw error;
          });
        return async () => {
          await release().catch(() => {}); // already released or lost: nothing left to give back
        };
      }
    } finally {
      await rm(path.join(claims, mine), { recursive: true, force: true });
    }
    // Another process is at the same step: wait a random, growing while so one of us goes first.
    await sleep(Math.random() * 10 * 2 ** Math.min(attempt, 5));
  }
  throw new DataDirInUseError(dataDir);
}

/** True when another process has a claim younger than staleMs; older ones are left by processes that died mid-claim. */
async function anotherLiveClaim(claims: string, mine: string, staleMs: number): Promise<boolean> {
  for (const name of await readdir(claims)) {
    if (name === mine) continue;
    const claimed = await stat(path.join(claims, name)).catch(() => undefined);
    if (!claimed) continue; // withdrawn meanwhile
    if (Date.now() - claimed.mtimeMs < staleMs) return true;
    await rm(path.join(claims, name), { recursive: true, force: true });
  }
  return false;
}

/** Carrying on without the lock could corrupt the database another process now holds: stop at once. */
function stopOnLostLock(dataDir: string) {
  return (error: Error) => {
    process.stderr.write(`latchkey: lost the lock on the embedded database in ${dataDir} (${error.message}); stopping to protect it\n`);
    process.exit(70);
  };
}
