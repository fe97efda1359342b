import type { RequestHandler } from 'express';
import { randomBytes } from 'node:crypto';
import { clientCredentials } from './client-credentials.ts';
import { normalizeIssuer, type FetchLike } from './discovery.ts';
import { AuthServerError } from './errors.ts';
import { JwksCache } from './jwks.ts';
import { RevocationSet, type RevocableClaims } from './revocation-set.ts';
import { SetError, createSetValidator, type SetValidator } from './set-validation.ts';
import type { Revocation } from './signal-events.ts';
import { startPolling, type BatchOutcome } from './signal-poll.ts';
import { pushHandler } from './signal-push.ts';
import { POLL, PUSH, ensureStream, loadSsfConfiguration, type Stream } from './ssf-stream.ts';

export type SignalReceiverOptions = {
  /** Latchkey's issuer URL. */
  issuer: string;
  /** A confidential client allowed the `ssf` scope (e.g. your API's introspection client). */
  clientId: string;
  clientSecret: string;
  /** 'poll' (default): the SDK asks Latchkey, long polling. 'push': Latchkey POSTs to `push.url`, served by `receiver.pushHandler`. */
  delivery?: 'poll' | 'push';
  push?: {
    /** The public URL where `pushHandler` is mounted. */
    url: string;
    /**
     * The Authorization header value Latchkey sends with every push. Keep it
     * stable across restarts to keep the stream (and what is queued for it);
     * left out, a random one is made and the stream created anew at each start.
     */
    authorization?: string;
  };
  /** Seconds a revocation is remembered (default 86 400: Latchkey's longest API token lifetime). */
  maxTokenLifetime?: number;
  /** Revocations kept at most (default 100 000). */
  maxEntries?: number;
  /** Called for every event applied (logging, metrics). */
  onEvent?: (event: SignalEvent) => void;
  /** Called when polling fails (it retries with backoff) or a SET is refused. Default: console.warn. */
  onError?: (error: unknown) => void;
  fetch?: FetchLike;
  now?: () => number;
};

export type SignalEvent = { jti: string; type: string; revocation: Revocation | undefined };

/** What the verifier and introspector consult: anything with `check` (and `onRevocation` to drop cached answers). */
export type RevocationSource = {
  check(claims: RevocableClaims): string | undefined;
  onRevocation?(listener: (revocation: Revocation) => void): () => void;
};

export type SignalReceiver = RevocationSource & {
  /** Finds or creates the stream, then starts polling (poll) or accepting pushes (push). Resolves once the stream exists. */
  start(): Promise<void>;
  /** Stops polling; pushes are answered 503 afterwards. */
  close(): Promise<void>;
  /** Express handler for RFC 8935 pushes: `app.post('/ssf/events', receiver.pushHandler)`. */
  readonly pushHandler: RequestHandler;
  /** The stream, once started. */
  readonly stream: Stream | undefined;
  /** Revocations held now. */
  readonly size: number;
};

/**
 * Receives Latchkey's Shared Signals (SSF 1.0: CAEP session-revoked,
 * credential-change, token-claims-change; RISC account-disabled, -enabled,
 * -purged) and keeps a bounded, expiring set of revoked sessions, grants and
 * subjects. Hand it to `createVerifier({ signals })` or
 * `createIntrospector({ signals })` and tokens of an ended session, a revoked
 * grant or a blocked user are refused within a second of the change.
 */
export function createSignalReceiver(options: SignalReceiverOptions): SignalReceiver {
  const issuer = normalizeIssuer(options.issuer);
  const delivery = options.delivery ?? 'poll';
  if (delivery === 'push' && !options.push?.url) throw new TypeError('createSignalReceiver: delivery "push" needs push.url');
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const onError = options.onError ?? ((error: unknown) => console.warn('[latchkey signals]', error instanceof Error ? error.message : error));
  const tokens = clientCredentials({ issuer, clientId: options.clientId, clientSecret: options.clientSecret, resource: `${issuer}/api`, scopes: ['ssf'], fetch: fetchImpl, now });
  const revocations = new RevocationSet({ maxTokenLifetime: options.maxTokenLifetime, max: options.maxEntries, now });
  const listeners = new Set<(revocation: Revocation) => void>();
  const pushAuthorization = options.push?.authorization ?? `Bearer ${randomBytes(32).toString('base64url')}`;
  let stream: Stream | undefined;
  let validate: SetValidator | undefined;
  let poller: { stop(): Promise<void> } | undefined;
  let started: Promise<void> | undefined;

  async function receive(set: string): Promise<void> {
    // A push that arrives while the stream is still being set up is retried by the transmitter (503).
    if (!validate) throw new AuthServerError('the signal receiver is not started yet');
    const result = await validate(set);
    if (result.revocation) {
      revocations.apply(result.revocation);
      for (const listener of listeners) listener(result.revocation);
    }
    if (!result.duplicate) options.onEvent?.({ jti: result.jti, type: result.type, revocation: result.revocation });
  }

  async function handleBatch(sets: Record<string, string>): Promise<BatchOutcome> {
    const outcome: BatchOutcome = { ack: [], setErrs: {} };
    for (const [jti, set] of Object.entries(sets)) {
      try {
        await receive(set);
        outcome.ack.push(jti);
      } catch (error) {
        // A refused SET is reported (RFC 8936 §2.4); anything else (keys unreachable) stays queued for the next poll.
        if (!(error instanceof SetError)) throw error;
        onError(error);
        outcome.setErrs[jti] = { err: error.err, description: error.message };
      }
    }
    return outcome;
  }

  async function begin(): Promise<void> {
    const config = await loadSsfConfiguration(issuer, fetchImpl);
    const jwks = new JwksCache({ jwksUri: async () => config.jwks_uri, fetch: fetchImpl, cooldownMs: 30_000, maxAgeMs: 600_000, now });
    stream = await ensureStream(
      config,
      tokens,
      delivery === 'push'
        ? { method: PUSH, endpointUrl: options.push!.url, authorizationHeader: pushAuthorization, description: '@latchkey/node (push)' }
        : { method: POLL, description: '@latchkey/node (poll)' },
      fetchImpl,
      delivery === 'push' && options.push?.authorization === undefined,
    );
    const audience = stream.aud.length ? stream.aud : [options.clientId];
    validate = createSetValidator({ issuer, audience: () => audience, jwks, seenFor: options.maxTokenLifetime, now });
    if (delivery === 'poll') {
      if (!stream.delivery.endpoint_url) throw new TypeError('the SSF stream has no poll endpoint_url');
      poller = startPolling({ endpoint: stream.delivery.endpoint_url, tokens, fetch: fetchImpl, handle: handleBatch, onError });
    }
  }

  const handler = pushHandler(pushAuthorization, receive);

  return {
    start() {
      started ??= begin().catch((error: unknown) => {
        started = undefined;
        throw error;
      });
      return started;
    },
    async close() {
      await poller?.stop();
      poller = undefined;
      validate = undefined;
      started = undefined;
    },
    pushHandler: handler,
    get stream() {
      return stream;
    },
    get size() {
      return revocations.size;
    },
    check: (claims) => revocations.check(claims),
    onRevocation(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
