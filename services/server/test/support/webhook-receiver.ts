import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type ReceivedDelivery = {
  headers: IncomingHttpHeaders;
  body: string;
  /** The payload as `Webhook.verify` returned it: only set when the signature checked out. */
  payload: { type: string; timestamp: string; data: Record<string, unknown> } | undefined;
  verifyError: string | undefined;
};

export type Receiver = {
  url: string;
  /** Every request, in arrival order (verified or not). */
  received: ReceivedDelivery[];
  /** What to answer next (default 204); a function sees the request count so far. */
  respond: (status: number | ((count: number) => number)) => void;
  /** Stop listening (connections refused) / listen again on the same port. */
  down: () => Promise<void>;
  up: () => Promise<void>;
  setSecret: (secret: string) => void;
  /** Where 3xx answers point. */
  redirect: (url: string) => void;
  waitFor: (predicate: (received: ReceivedDelivery[]) => boolean, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
};

/**
 * A real webhook receiver on loopback: it verifies every delivery with the
 * `standardwebhooks` package, as a customer's endpoint would, and records
 * what came in.
 */
export async function startReceiver(secret?: string, port = 0): Promise<Receiver> {
  let currentSecret = secret;
  let status: number | ((count: number) => number) = 204;
  let redirectTo: string | undefined;
  const received: ReceivedDelivery[] = [];
  let server: Server;
  const listen = (onPort: number) =>
    new Promise<Server>((resolve) => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let payload: ReceivedDelivery['payload'];
          let verifyError: string | undefined;
          try {
            if (!currentSecret) throw new Error('no secret set');
            payload = new Webhook(currentSecret).verify(body, req.headers as Record<string, string>) as ReceivedDelivery['payload'];
          } catch (error) {
            verifyError = (error as Error).message;
          }
          received.push({ headers: req.headers, body, payload, verifyError });
          res.statusCode = typeof status === 'function' ? status(received.length) : status;
          if (res.statusCode >= 300 && res.statusCode < 400 && redirectTo) res.setHeader('location', redirectTo);
          res.end();
        });
      });
      s.listen(onPort, '127.0.0.1', () => resolve(s));
    });
  server = await listen(port);
  const boundPort = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: `http://127.0.0.1:${boundPort}/hooks`,
    received,
    respond: (next) => {
      status = next;
    },
    down: stop,
    up: async () => {
      server = await listen(boundPort);
    },
    setSecret: (next) => {
      currentSecret = next;
    },
    redirect: (url) => {
      redirectTo = url;
    },
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) throw new Error(`receiver: timed out; got ${received.map((r) => r.payload?.type ?? r.verifyError).join(', ')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: stop,
  };
}
