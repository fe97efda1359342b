import { once } from 'node:events';
import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import type { SessionGate } from './session-gate.ts';

/**
 * The running embedded server serves its PGlite over the Postgres wire
 * protocol on a Unix socket in the data dir, named as Postgres names its
 * own, so `psql -h <data dir>` and the CLI (pg) reach the database without
 * stopping the server. Only the owner may connect (mode 0600), as only the
 * owner may read the data dir. Clients take turns on the one session
 * through the gate, a whole transaction at a time; session state (SET, temp
 * tables, PREPARE, advisory locks) lasts one transaction, as behind a
 * transaction-mode pooler.
 */

/** Postgres clients look for `<dir>/.s.PGSQL.<port>`. */
export const EMBEDDED_SOCKET_PORT = 5432;
export const embeddedSocketPath = (dataDir: string) => path.join(dataDir, `.s.PGSQL.${EMBEDDED_SOCKET_PORT}`);

/** A client idle inside a transaction holds the server's requests up: it is cut off after this long. */
const DEFAULT_IDLE_IN_TRANSACTION_MS = 5_000;
/** sun_path is 108 bytes on Linux, 104 on macOS. */
const MAX_SOCKET_PATH = 103;

export type EmbeddedSocketOptions = {
  pglite: PGlite;
  dataDir: string;
  gate: SessionGate;
  idleInTransactionMs?: number;
};

export type EmbeddedSocket = { path: string; close: () => Promise<void> };

export async function serveEmbeddedSocket(options: EmbeddedSocketOptions): Promise<EmbeddedSocket> {
  const socketPath = embeddedSocketPath(options.dataDir);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new Error(`the data dir path is too long for a Unix socket (${socketPath}); use a shorter LATCHKEY_DATA_DIR`);
  }
  // A socket left by a server that died: we hold the data-dir lock, so it is nobody's.
  await rm(socketPath, { force: true });

  const sessions = new Set<GatedSession>();
  const server = net.createServer((socket) => {
    const session: GatedSession = new GatedSession(options, (why) => {
      void session.end();
      socket.end(fatal(why));
    });
    sessions.add(session);
    const handler = new PGLiteSocketHandler({ queryQueue: session as never, closeOnDetach: true });
    socket.once('close', () => sessions.delete(session));
    handler.attach(socket).catch(() => socket.destroy());
  });
  // Created owner-only from the start, not chmod-ed after a window in which others could connect.
  const umask = process.umask(0o177);
  try {
    server.listen(socketPath);
  } finally {
    process.umask(umask);
  }
  await once(server, 'listening');
  await chmod(socketPath, 0o600);

  return {
    path: socketPath,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Each session gives the database back (rolls back what it left open) before the server closes it.
      await Promise.all([...sessions].map((session) => session.end()));
      await closed;
      await rm(socketPath, { force: true });
    },
  };
}

const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4);
const COPY_FAIL = (() => {
  const reason = Buffer.from('connection closed\0');
  const message = Buffer.alloc(5 + reason.length);
  message.write('f', 0);
  message.writeInt32BE(4 + reason.length, 1);
  reason.copy(message, 5);
  return message;
})();
/** ReadyForQuery, status idle: the last bytes the session sends once a query or sync is done outside a transaction. */
const READY_IDLE = [0x5a, 0, 0, 0, 5, 0x49];

/** A FATAL ErrorResponse the client shows before the connection drops. */
function fatal(message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C25P03\0M${message}\0\0`);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

/**
 * One socket client's turn on the shared session, in the shape
 * PGLiteSocketHandler expects of its query queue. Messages run in order;
 * the gate is taken at the first and given back when the session answers
 * ReadyForQuery idle (not mid extended-query, COPY or transaction).
 */
class GatedSession {
  readonly #pglite: PGlite;
  readonly #gate: SessionGate;
  readonly #idleInTransactionMs: number;
  readonly #terminate: (why: string) => void;
  #chain: Promise<unknown> = Promise.resolve();
  #release: (() => void) | undefined;
  #idle = true;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #ended: Promise<void> | undefined;

  constructor(options: EmbeddedSocketOptions, terminate: (why: string) => void) {
    this.#pglite = options.pglite;
    this.#gate = options.gate;
    this.#idleInTransactionMs = options.idleInTransactionMs ?? DEFAULT_IDLE_IN_TRANSACTION_MS;
    this.#terminate = terminate;
  }

  enqueue(_handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    const run = this.#chain.then(() => this.#run(message, onData));
    this.#chain = run.catch(() => {});
    return run;
  }

  async #run(message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    if (this.#closed) throw new Error('connection closed');
    // Terminate: the client is leaving; end() cleans up when the socket closes.
    if (message.length === 5 && message[0] === 0x58) return 0;
    clearTimeout(this.#timer);
    this.#release ??= await this.#gate.acquire();
    if (this.#closed) throw new Error('connection closed'); // end() gives the turn back
    let sent = 0;
    let tail: number[] = [];
    await this.#pglite.runExclusive(() =>
      this.#pglite.execProtocolRawStream(message, {
        onRawData: (data) => {
          sent += data.length;
          tail = [...tail, ...data.subarray(-READY_IDLE.length)].slice(-READY_IDLE.length);
          onData(data);
        },
      }),
    );
    this.#idle = READY_IDLE.every((byte, i) => tail[i] === byte);
    if (this.#idle && !this.#pglite.isInTransaction()) await this.#giveBack();
    else this.#timer = setTimeout(() => this.#terminate('terminating connection: idle in a transaction on the shared embedded database'), this.#idleInTransactionMs);
    return sent;
  }

  /**
   * Session state lasts one transaction: the next user of the session must not run under this
   * client's SETs, nor read its temp tables (pg_temp comes first on the search path, so a temp
   * `users` would shadow ours), prepared statements, held cursors or advisory locks.
   */
  async #giveBack(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    try {
      await this.#pglite.exec('DISCARD ALL');
    } finally {
      release?.();
    }
  }

  getQueueLength(): number {
    return 0;
  }

  clearQueueForHandler(): void {
    this.#closed = true;
  }

  /** Called when the client goes: whatever it left half done is undone before anyone else gets the session. */
  clearTransactionIfNeeded(): Promise<void> {
    return this.end();
  }

  end(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#ended ??= this.#chain.then(async () => {
      if (!this.#release) return;
      try {
        await this.#pglite.runExclusive(async () => {
          if (!this.#idle) {
            // Leave a COPY, then an extended query the client never synced.
            await this.#pglite.execProtocolRaw(COPY_FAIL);
            await this.#pglite.execProtocolRaw(SYNC);
          }
        });
        if (this.#pglite.isInTransaction()) await this.#pglite.exec('ROLLBACK');
        await this.#pglite.exec('DISCARD ALL');
      } catch {
        // The session is as clean as it gets; the server's next query reports anything worse.
      } finally {
        await this.#giveBack().catch(() => {});
      }
    });
    return this.#ended;
  }
}
