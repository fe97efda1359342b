import type knexFactory from 'knex';
import ClientPGLite from 'knex-pglite';

/**
 * PGlite is a single Postgres session. Once the running server shares it
 * with other processes (the CLI, psql) over its socket, each user must have
 * that session to itself for a whole transaction: a statement slipping into
 * someone else's BEGIN … COMMIT would commit or roll back with it. The gate
 * is that turn: a FIFO mutex the server's knex holds from acquiring its one
 * connection to releasing it (a query, or a whole transaction), and a socket
 * client from its first message until the session is idle again.
 */
export class SessionGate {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves, in the order asked, with a function that gives the turn back (calling it twice is harmless). */
  acquire(): Promise<() => void> {
    let done!: () => void;
    const turn = new Promise<void>((resolve) => (done = resolve));
    const ready = this.#tail.then(() => {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        done();
      };
    });
    this.#tail = this.#tail.then(() => turn);
    return ready;
  }
}

type Connection = unknown;
type ClientLike = { acquireConnection(): Promise<Connection>; releaseConnection(connection: Connection): Promise<void> };

/** knex-pglite's client, taking the gate with its connection: knex holds the connection for a whole transaction. */
export function gatedPGliteClient(gate: SessionGate): typeof knexFactory.Client {
  const Base = ClientPGLite as unknown as new (config: unknown) => ClientLike;
  // Not a private field: knex derives transaction clients with Object.create(client).
  let held: (() => void) | undefined;
  class GatedPGLite extends Base {
    override async acquireConnection(): Promise<Connection> {
      const release = await gate.acquire();
      try {
        const connection = await super.acquireConnection();
        held = release;
        return connection;
      } catch (error) {
        release();
        throw error;
      }
    }

    override async releaseConnection(connection: Connection): Promise<void> {
      const release = held;
      held = undefined;
      try {
        await super.releaseConnection(connection);
      } finally {
        release?.();
      }
    }
  }
  return GatedPGLite as unknown as typeof knexFactory.Client;
}
