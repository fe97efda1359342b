import { createServer, connect, type Socket } from 'node:net';

export type SlowProxy = { port: number; setDelay: (ms: number) => void; open: () => number; peak: () => number; close: () => Promise<void> };

/**
 * A TCP proxy to 127.0.0.1:`target` that holds every chunk the server sends
 * back for `delay` ms: a database that has become slow (far away, swamped).
 * It counts connections, so a test can see whether callers pile up.
 */
export async function startSlowProxy(target: number): Promise<SlowProxy> {
  let delay = 0;
  let open = 0;
  let peak = 0;
  const sockets = new Set<Socket>();
  const server = createServer((downstream) => {
    const upstream = connect(target, '127.0.0.1');
    open += 1;
    peak = Math.max(peak, open);
    sockets.add(downstream).add(upstream);
    let closed = false;
    const finish = () => {
      if (closed) return;
      closed = true;
      open -= 1;
      downstream.destroy();
      upstream.destroy();
      sockets.delete(downstream);
      sockets.delete(upstream);
    };
    downstream.on('data', (chunk) => upstream.write(chunk));
    // Order is kept: every chunk waits the same delay.
    upstream.on('data', (chunk) => (delay ? setTimeout(() => !closed && downstream.write(chunk), delay) : downstream.write(chunk)));
    downstream.on('close', finish).on('error', finish);
    upstream.on('close', finish).on('error', finish);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    setDelay: (ms) => {
      delay = ms;
      peak = open;
    },
    open: () => open,
    peak: () => peak,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
