import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import ClientPGLite from 'knex-pglite';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.ts';
import { EMBEDDED_SOCKET_PORT, embeddedSocketPath, serveEmbeddedSocket, type EmbeddedSocket } from './embedded-socket.ts';
import type { Db } from './knex.ts';
import { usePgDriver } from './pg-driver.ts';
import { SessionGate, gatedPGliteClient } from './session-gate.ts';

/**
 * The embedded database (PGlite in the data dir) is one process's: whoever
 * holds the data-dir lock opens it. The running server (`serve`) also shares
 * it on a Unix socket once it is migrated (`db.share()`); a second server is
 * still refused. The CLI (`join`) finding the data dir held connects to that
 * socket with pg instead: nothing has to be stopped, and no PGlite boots.
 */
export type EmbeddedOptions = {
  dataDir: string;
  share?: 'serve' | 'join';
  /** How long `join` waits for a starting server's socket (or for the lock) before giving up. */
  joinWaitMs?: number;
};

const DEFAULT_JOIN_WAIT_MS = 10_000;

export async function openEmbedded(options: EmbeddedOptions): Promise<Db> {
  const { dataDir } = options;
  await mkdir(path.join(dataDir, 'pgdata'), { recursive: true, mode: 0o700 });
  if (options.share === 'join') {
    const deadline = Date.now() + (options.joinWaitMs ?? DEFAULT_JOIN_WAIT_MS);
    for (;;) {
      const unlock = await lockDataDir(dataDir).catch((error: unknown) => {
        if (error instanceof DataDirInUseError) return undefined;
        throw error;
      });
      if (unlock) return openLocked(options, unlock);
      const joined = await joinServer(dataDir);
      if (joined) return joined;
      if (Date.now() > deadline) {
        throw new DataDirInUseError(dataDir, 'it does not share it (another command, or a server still starting); try again when it is done');
      }
      await sleep(200);
    }
  }
  return openLocked(options, await lockDataDir(dataDir));
}

/**
 * PostgreSQL settings for the one embedded session, on top of PGlite's own
 * (single-user mode, fsync off, no parallel workers). Postgres's default of
 * 128 MB of shared buffers is sized for a server: PGlite sets all of it up in
 * its WASM memory at start, where it stays resident (128 → 16 MB takes ~110 MiB
 * off the process). An identity provider's working set (clients, keys, live
 * tokens and sessions) mostly fits; a page that does not is read again from the
 * data dir, through the OS page cache (no measurable cost per token request
 * here between 16, 32 and 128 MB). WAL buffers follow (1/32).
 */
const EMBEDDED_SETTINGS = ['shared_buffers=16MB'];

const embeddedStartParams = () => [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS.flatMap((setting) => ['-c', setting])];

/**
 * PGlite's WebAssembly stays on V8's baseline compiler (Liftoff). With tier-up on, V8 recompiles
 * Postgres's SQL parser (one ~100 KB function) with its optimizing compiler a few dozen statements
 * after start: ~2 s of CPU on a background thread and ~500 MB of compiler memory for a moment, so an
 * embedded server peaked near 800 MiB (RSS at ready 450–700 MiB, 200 now) and its start took a second
 * longer. The price is a little CPU per statement (an opaque token ~10 % more on the embedded database
 * in `pnpm bench`); an embedded database is for one small instance, where memory counts for more. Set
 * before PGlite compiles its module; it touches only WebAssembly, which nothing else here runs.
 */
function keepWasmBaseline(): void {
  setFlagsFromString('--no-wasm-tier-up');
  setFlagsFromString('--no-wasm-dynamic-tiering');
}

async function openLocked(options: EmbeddedOptions, unlock: () => Promise<void>): Promise<Db> {
  let pglite: PGlite;
  try {
    keepWasmBaseline();
    pglite = new PGlite(path.join(options.dataDir, 'pgdata'), { startParams: embeddedStartParams() });
    await pglite.waitReady;
  } catch (error) {
    await unlock();
    throw error;
  }
  const gate = options.share === 'serve' ? new SessionGate() : undefined;
  const client = gate ? gatedPGliteClient(gate) : (ClientPGLite as unknown as typeof knexFactory.Client);
  const knex = knexFactory({ client, connection: { pglite } as never });
  let socket: Promise<EmbeddedSocket> | undefined;
  return {
    knex,
    kind: 'pglite',
    share: gate && (async () => (await (socket ??= serveEmbeddedSocket({ pglite, dataDir: options.dataDir, gate }))).path),
    close: async () => {
      try {
        await (await socket?.catch(() => undefined))?.close();
        await knex.destroy(); // closes the PGlite instance
      } finally {
        await unlock();
      }
    },
  };
}

/** The running server's database through its socket, or undefined when no server answers there. */
async function joinServer(dataDir: string): Promise<Db | undefined> {
  const found = await stat(embeddedSocketPath(dataDir)).catch(() => undefined);
  if (!found?.isSocket()) return undefined;
  await usePgDriver();
  const knex: Knex = knexFactory({
    client: 'pg',
    connection: { host: dataDir, port: EMBEDDED_SOCKET_PORT, user: 'latchkey', database: 'latchkey', application_name: 'latchkey-cli' },
    // The server's session is one; one connection at a time from us.
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: 30_000,
    // A socket left behind by a server that died refuses connections: that is an answer, not something to print.
    log: {
      warn: (message: string) => {
        if (!String(message).startsWith('Acquire connection error')) process.stderr.write(`knex: ${message}\n`);
      },
    },
  });
  try {
    await knex.raw('select 1');
  } catch {
    await knex.destroy();
    return undefined;
  }
  return { knex, kind: 'pglite', viaServer: true, close: () => knex.destroy() };
}
