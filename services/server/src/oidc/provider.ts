import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider from 'oidc-provider';
import type { JWK } from 'jose';
import type { JWKS, KoaContextWithOIDC } from 'oidc-provider';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../db/unavailable.ts';
import type { Logger } from '../http/logger.ts';
import type { Store } from '../store/index.ts';
import { buildConfiguration, type ConfigurationDeps } from './configuration.ts';
import { answerSelfContainedIntrospection, applyInternals, bindToIssuer } from './internals.ts';
import { createSelfContainedIntrospection } from './introspection.ts';
import { auditLogouts } from '../sessions/logout-event.ts';
import { MetadataResponses, metadataRouteOf, type MetadataRoute } from './metadata-responses.ts';
import { limitOpenRegistration } from './registration-policy.ts';
import { logDocumentRefusals } from './client-id-metadata.ts';

export type ProviderDeps = Omit<ConfigurationDeps, 'jwks'> & {
  logger: Logger;
  store: Store;
  /** Called with every provider built (one per key set): metrics hook its routes and events here. */
  observe?: (provider: Provider) => void;
};

export function createProvider(deps: ProviderDeps, jwks: JWKS): Provider {
  const provider = new Provider(deps.config.issuer, buildConfiguration({ ...deps, jwks }));
  // Forwarded headers are Express's business (LATCHKEY_TRUST_PROXY); the
  // provider sees every request as addressed to the issuer (internals.ts).
  applyInternals(provider, deps);
  bindToIssuer(provider);
  answerSelfContainedIntrospection(provider, createSelfContainedIntrospection({ knex: deps.knex, keyring: deps.keyring, issuer: deps.config.issuer, jwks }));
  provider.use(cacheMetadata);
  if (deps.config.cimd.policy !== 'off') logDocumentRefusals(provider, deps.logger);
  if (deps.config.registration === 'open-public') provider.use(limitOpenRegistration(deps.limiter, deps.config.registrationToken));
  deps.observe?.(provider);
  auditLogouts(provider, { knex: deps.knex, logger: deps.logger });
  provider.on('server_error', (ctx, error) => {
    deps.logger.error({ err: error }, 'oidc server error');
    // A database that is down or too slow is a retryable 503, not a broken server.
    if (!isDatabaseUnavailable(error)) return;
    ctx.status = 503;
    ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
    if (ctx.type.includes('json')) ctx.body = { error: 'temporarily_unavailable', error_description: 'the service is temporarily unavailable; try again shortly' };
  });
  return provider;
}

/**
 * Discovery and the JWKS may be cached by clients, briefly. A new signing key
 * is published DEFAULT_PROPAGATION_SECONDS (90 s) before it signs, and each
 * replica reloads keys at least every 60 s (LATCHKEY_KEY_REFRESH_SECONDS). A
 * client that fetched the JWKS just before its replica saw a new key knows it
 * after at most 60 + 30 = 90 s: in time for the first token it signs. The
 * same 30 s bound how long a revoked key can still be trusted from cache.
 */
export const METADATA_MAX_AGE_SECONDS = 30;

const cacheMetadata = async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
  await next();
  const route = ctx.oidc?.route;
  if ((route === 'discovery' || route === 'jwks') && ctx.status === 200) {
    ctx.set('Cache-Control', `public, max-age=${METADATA_MAX_AGE_SECONDS}`);
  }
};

/**
 * A JWKS answer checks the database for new keys at most this often: one
 * cheap query per window instead of one per request (it cost JWKS two thirds
 * of its throughput, most of all on the embedded database). A key rotated in
 * with --now on another replica is served within this window (and at once
 * wherever Redis carries the change).
 */
const JWKS_CHECK_MS = 100;

const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

function publicParts(jwks: JWKS): { keys: JWK[] } {
  return { keys: jwks.keys.map((key) => Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE_MEMBERS.has(name) && name !== 'key_ops')) as JWK) };
}

/**
 * oidc-provider takes its signing keys at construction. To pick up a key
 * rotation without a restart we build a new provider with the new key set and
 * route new requests to it; all state lives in the database, so the swap loses
 * nothing and requests already in flight finish on the old instance.
 */
export class ProviderHolder {
  #provider: Provider;
  #callback: (req: IncomingMessage, res: ServerResponse) => void;
  /** The current instance's discovery and JWKS bytes (metadata-responses.ts); a new instance starts empty. */
  #metadata: MetadataResponses;
  #publicJwks: { keys: JWK[] };
  #jwks: JWKS;
  readonly #deps: ProviderDeps;

  constructor(deps: ProviderDeps, jwks: JWKS) {
    this.#deps = deps;
    [this.#provider, this.#callback, this.#metadata] = this.#build(jwks);
    this.#publicJwks = publicParts(jwks);
    this.#jwks = jwks;
  }

  #build(jwks: JWKS): [Provider, (req: IncomingMessage, res: ServerResponse) => void, MetadataResponses] {
    const provider = createProvider(this.#deps, jwks);
    const metadata = new MetadataResponses({ maxAgeSeconds: METADATA_MAX_AGE_SECONDS });
    provider.use(metadata.capture);
    return [provider, provider.callback(), metadata];
  }

  get current(): Provider {
    return this.#provider;
  }

  /** The public keys the provider currently publishes (the REST API verifies its tokens with these, no HTTP). */
  get publicJwks(): { keys: JWK[] } {
    return this.#publicJwks;
  }

  /** The private key set the provider signs with (Shared Signals sign their SETs with it too). */
  get signingJwks(): JWKS {
    return this.#jwks;
  }

  swapKeys(jwks: JWKS): void {
    [this.#provider, this.#callback, this.#metadata] = this.#build(jwks);
    this.#publicJwks = publicParts(jwks);
    this.#jwks = jwks;
  }

  #beforeJwks: (() => Promise<void>) | undefined;
  /** When the last check before a JWKS answer started (checks are throttled to JWKS_CHECK_MS). */
  #checkedAt = 0;

  /**
   * Runs `reload` (the key watcher's refresh) before answering each JWKS
   * request, so the JWKS a replica serves holds every key in the database at
   * that moment: after `keys rotate --now` another replica may already sign
   * with a key this one has not loaded yet, and a verifier that meets its kid
   * refetches the JWKS from whichever replica answers — then refetches no
   * more for a while (the Node SDK: 30 s). Throttled to JWKS_CHECK_MS.
   */
  reloadKeysBeforeJwks(reload: () => Promise<void>): void {
    this.#checkedAt = 0;
    this.#beforeJwks = reload;
  }

  /** The request handler to mount in Express; always serves the current provider. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const route = metadataRouteOf(req);
    const reload = this.#beforeJwks;
    if (reload && route === 'jwks' && Date.now() - this.#checkedAt >= JWKS_CHECK_MS) {
      const started = Date.now();
      void reload().then(() => {
        this.#checkedAt = Math.max(this.#checkedAt, started);
        this.#answer(req, res, route);
      });
      return;
    }
    this.#answer(req, res, route);
  };

  #answer(req: IncomingMessage, res: ServerResponse, route: MetadataRoute | undefined): void {
    if (route && this.#metadata.answer(req, res, route)) return;
    this.#callback(req, res);
  }
}
