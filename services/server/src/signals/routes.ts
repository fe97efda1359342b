import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Knex } from 'knex';
import { createAuthenticator } from '../api/auth.ts';
import { ApiProblem } from '../api/problem.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { Logger } from '../http/logger.ts';
import type { ProviderHolder } from '../oidc/provider.ts';
import type { Store } from '../store/index.ts';
import { configurationRoute } from './configuration.ts';
import { poll, PollWaiters } from './poll.ts';
import { SetSigner } from './signer.ts';
import {
  changeStatus,
  changeStream,
  changeSubject,
  createStream,
  parseStreamId,
  readStatus,
  readStream,
  readStreams,
  removeStream,
  requestVerification,
  StreamError,
  type StreamDeps,
} from './streams.ts';

/**
 * The transmitter's HTTP surface: configuration metadata, stream management
 * (SSF 1.0 §8.1) and the poll endpoint (RFC 8936). Receivers authenticate
 * with a client-credentials token for `<issuer>/api` carrying `ssf` (the
 * REST API's authenticator). Answers are plain JSON with plain HTTP
 * statuses, errors as `{ error, error_description }`.
 */

export type SignalsRouteDeps = { config: { issuer: string }; db: { knex: Knex }; keyring: Keyring; providers: ProviderHolder; store: Store; logger: Logger };

const SCOPE = 'ssf';
const SSF_PATH = /^\/ssf(?:\/|$)/;

export function signalsRoutes(deps: SignalsRouteDeps): Router {
  const { issuer } = deps.config;
  const knex = deps.db.knex;
  const authenticate = createAuthenticator({ issuer, knex, keyring: deps.keyring, providers: deps.providers });
  const streams: StreamDeps = { knex, keyring: deps.keyring, issuer };
  const signer = new SetSigner(() => deps.providers.signingJwks);
  const waiters = new PollWaiters(deps.store);
  const json = express.json({ limit: '64kb', type: ['application/json', 'application/*+json'] });

  const ssf = Router();
  ssf.use(json);

  /** The receiver calling: a client with the `ssf` scope. */
  const receiver = async (req: Request): Promise<string> => {
    const principal = await authenticate(req);
    if (principal.kind !== 'client' || !principal.clientId) throw new StreamError403('a receiver authenticates with a client-credentials token');
    if (!principal.scopes.includes(SCOPE)) throw new StreamError403(`the token needs the "${SCOPE}" scope`);
    return principal.clientId;
  };

  const handle =
    (work: (req: Request, res: Response, clientId: string) => Promise<void>) =>
    async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      try {
        await work(req, res, await receiver(req));
      } catch (error) {
        next(error);
      }
    };

  const query = (req: Request) => (typeof req.query.stream_id === 'string' ? req.query.stream_id : undefined);

  ssf.post('/ssf/streams', handle(async (req, res, client) => void res.status(201).json(await createStream(streams, client, req.body))));
  ssf.get(
    '/ssf/streams',
    handle(async (req, res, client) => {
      const id = query(req);
      res.json(id === undefined ? await readStreams(streams, client) : await readStream(streams, client, id));
    }),
  );
  ssf.patch('/ssf/streams', handle(async (req, res, client) => void res.json(await changeStream(streams, client, req.body, 'update'))));
  ssf.put('/ssf/streams', handle(async (req, res, client) => void res.json(await changeStream(streams, client, req.body, 'replace'))));
  ssf.delete(
    '/ssf/streams',
    handle(async (req, res, client) => {
      await removeStream(streams, client, parseStreamId(query(req)));
      res.status(204).end();
    }),
  );
  ssf.get('/ssf/status', handle(async (req, res, client) => void res.json(await readStatus(streams, client, parseStreamId(query(req))))));
  ssf.post('/ssf/status', handle(async (req, res, client) => void res.json(await changeStatus(streams, client, req.body))));
  ssf.post(
    /^\/ssf\/subjects:add$/,
    handle(async (req, res, client) => {
      await changeSubject(streams, client, req.body, 'add');
      res.status(200).json({});
    }),
  );
  ssf.post(
    /^\/ssf\/subjects:remove$/,
    handle(async (req, res, client) => {
      await changeSubject(streams, client, req.body, 'remove');
      res.status(204).end();
    }),
  );
  ssf.post(
    '/ssf/verify',
    handle(async (req, res, client) => {
      await requestVerification(streams, client, req.body);
      res.status(204).end();
    }),
  );
  ssf.post(
    '/ssf/poll/:streamId',
    handle(async (req, res, client) => {
      // A receiver that hangs up ends its long poll.
      const gone = new AbortController();
      res.on('close', () => gone.abort());
      const answer = await poll({ knex, store: deps.store, issuer, keyring: deps.keyring, signer }, waiters, client, String(req.params.streamId), req.body, gone.signal);
      if (!res.writableEnded && !res.destroyed) res.json(answer);
    }),
  );
  ssf.use((req, res) => void res.status(404).json({ error: 'not_found', error_description: `no such endpoint: ${req.method} ${req.path}` }));
  ssf.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof StreamError || error instanceof StreamError403) {
      res.status(error.status).json({ error: error.code, error_description: error.message });
      return;
    }
    if (error instanceof ApiProblem && error.status < 500) {
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      res.status(error.status).json({ error: error.status === 401 ? 'invalid_token' : error.problemCode, error_description: error.message });
      return;
    }
    // Body parser refusals (malformed JSON, too large) carry their status.
    const status = (error as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: 'invalid_request', error_description: status === 413 ? 'the body is too large' : 'the body must be valid JSON' });
      return;
    }
    deps.logger.error({ err: error }, 'shared signals request failed');
    res.status(500).json({ error: 'server_error', error_description: 'internal error' });
  });

  const router = Router();
  router.use(configurationRoute(issuer));
  router.use((req, res, next) => (SSF_PATH.test(req.path) ? ssf(req, res, next) : next()));
  return router;
}

class StreamError403 extends Error {
  readonly status = 403;
  readonly code = 'insufficient_scope';
}
