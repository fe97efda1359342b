import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider from 'oidc-provider';
import type { JWKS } from 'oidc-provider';
import type { Logger } from '../http/logger.ts';
import type { Store } from '../store/index.ts';
import { buildConfiguration, type ConfigurationDeps } from './configuration.ts';
import { applyInternals } from './internals.ts';

export type ProviderDeps = Omit<ConfigurationDeps, 'jwks'> & { logger: Logger; store: Store };

export function createProvider(deps: ProviderDeps, jwks: JWKS): Provider {
  const provider = new Provider(deps.config.issuer, buildConfiguration({ ...deps, jwks }));
  // Trust X-Forwarded-Proto/Host only when the operator said a proxy is in front.
  provider.proxy = deps.config.trustProxy !== false;
  applyInternals(provider, deps);
  provider.on('server_error', (_ctx, error) => deps.logger.error({ err: error }, 'oidc server error'));
  return provider;
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
  readonly #deps: ProviderDeps;

  constructor(deps: ProviderDeps, jwks: JWKS) {
    this.#deps = deps;
    this.#provider = createProvider(deps, jwks);
    this.#callback = this.#provider.callback();
  }

  get current(): Provider {
    return this.#provider;
  }

  swapKeys(jwks: JWKS): void {
    const next = createProvider(this.#deps, jwks);
    this.#provider = next;
    this.#callback = next.callback();
  }

  /** The request handler to mount in Express; always serves the current provider. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.#callback(req, res);
  };
}
