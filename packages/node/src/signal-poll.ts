import type { TokenSource } from './client-credentials.ts';
import type { FetchLike } from './discovery.ts';
import { AuthServerError } from './errors.ts';

export type SetErrs = Record<string, { err: string; description: string }>;

/** What the receiver did with one batch: the jtis to acknowledge and the ones it refused. */
export type BatchOutcome = { ack: string[]; setErrs: SetErrs };

export type PollOptions = {
  endpoint: string;
  tokens: TokenSource;
  fetch: FetchLike;
  handle: (sets: Record<string, string>) => Promise<BatchOutcome>;
  onError: (error: unknown) => void;
  /** Longest wait between attempts after failures, ms (default 30 000). */
  maxBackoffMs?: number;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });

/**
 * RFC 8936 long polling: each request acknowledges (and reports errors for)
 * the previous batch and waits at the transmitter until events come, so a
 * SET arrives as soon as it is queued. Failures back off exponentially with
 * jitter (0.5 s doubling up to maxBackoff); acknowledgements are kept until
 * a request carrying them succeeds, so nothing is acknowledged unprocessed
 * and nothing processed is lost.
 */
export function startPolling(options: PollOptions): { stop(): Promise<void> } {
  const controller = new AbortController();
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let outcome: BatchOutcome = { ack: [], setErrs: {} };
  let failures = 0;

  async function once(): Promise<void> {
    const token = await options.tokens.getToken();
    const response = await options.fetch(options.endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ maxEvents: 100, returnImmediately: false, ack: outcome.ack, setErrs: outcome.setErrs }),
      // The transmitter holds a long poll for up to ~25 s; more than that is a dead connection.
      signal: AbortSignal.any([controller.signal, AbortSignal.timeout(45_000)]),
    });
    if (response.status === 401) {
      options.tokens.invalidate();
      await response.body?.cancel();
      throw new AuthServerError('SSF poll: the access token was refused');
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new AuthServerError(`SSF poll: ${options.endpoint} answered ${response.status}`);
    }
    // The transmitter has the acknowledgements now.
    outcome = { ack: [], setErrs: {} };
    const body = (await response.json().catch(() => undefined)) as { sets?: unknown } | undefined;
    const sets = body && typeof body.sets === 'object' && body.sets !== null ? (body.sets as Record<string, unknown>) : {};
    const strings = Object.fromEntries(Object.entries(sets).filter((e): e is [string, string] => typeof e[1] === 'string'));
    outcome = await options.handle(strings);
  }

  const done = (async () => {
    while (!controller.signal.aborted) {
      try {
        await once();
        failures = 0;
      } catch (error) {
        if (controller.signal.aborted) break;
        options.onError(error);
        failures += 1;
        const ceiling = Math.min(maxBackoff, 500 * 2 ** (failures - 1));
        await sleep(ceiling / 2 + Math.random() * (ceiling / 2), controller.signal);
      }
    }
  })();

  return {
    async stop() {
      controller.abort();
      await done;
    },
  };
}
