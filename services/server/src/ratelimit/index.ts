import type { Config } from '../config/env.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { Store } from '../store/index.ts';
import { createLimiter, type Limiter } from './limiter.ts';
import { DEFAULT_POLICIES, withOverrides } from './policies.ts';

export { createLimiter, type Attempt, type Limiter, type LimitResult, type LimitSubject, type Reservation } from './limiter.ts';
export { DEFAULT_POLICIES, type LimitName, type Policies } from './policies.ts';
export { limitTokenEndpoint, setRetryAfter } from './http.ts';

/**
 * The server's limiter, with the operator's LATCHKEY_RATE_LIMITS applied.
 * Buckets are namespaced by a keyed hash of the issuer: replicas of one
 * deployment (same issuer, same LATCHKEY_SECRETS) share them, other
 * deployments (or test servers) on the same Redis never do. Account keys are
 * keyed hashes too.
 */
export function limiterFor(deps: { config: Config; store: Store; keyring: Keyring }): Limiter {
  return createLimiter({
    store: deps.store,
    namespace: deps.keyring.hash('cookie', `ratelimit:namespace:${deps.config.issuer}`),
    // The 'cookie' key with its own prefix: a keyed hash, domain-separated from cookie signing.
    hashAccount: (value) => deps.keyring.hash('cookie', `ratelimit:account:${value}`),
    policies: withOverrides(DEFAULT_POLICIES, deps.config.rateLimits),
  });
}
