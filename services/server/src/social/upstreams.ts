import type { Request } from 'express';
import type passport from 'passport';
import type { Config } from '../config/env.ts';
import type { SocialUpstream } from '../config/social.ts';
import type { Store } from '../store/index.ts';
import type { FlowRecord } from './state.ts';

/**
 * The configured upstreams as passport strategies, one Authenticator per
 * server. No session middleware anywhere: the start of a round trip puts
 * its flow on the request (`socialStart`), the callback puts the flow it
 * took from the store there (`socialFlow`), and the strategies read and
 * write state only through those (social/state.ts).
 */

export type SocialRequest = Request & {
  socialStart?: FlowRecord;
  socialFlow?: FlowRecord;
  /** openid-client's per-request "session": filled from the flow, never a cookie session. */
  session?: Record<string, { code_verifier?: string; nonce?: string; state?: string }>;
};

/** Seconds any one upstream call may take before the sign-in fails with an upstream error page. */
export const UPSTREAM_TIMEOUT_SECONDS = 10;

export const callbackUrl = (config: Config, upstream: string) => `${config.issuer}/social/${upstream}/callback`;

export type Upstreams = {
  list: readonly SocialUpstream[];
  find: (id: string) => SocialUpstream | undefined;
  /**
   * The Authenticator, with the upstream's strategy registered if it is not yet. Passport and the
   * strategies load with the first upstream used, not at start; a generic upstream's discovery
   * happens then too, and is retried after a failure.
   */
  ready: (upstream: SocialUpstream) => Promise<passport.Authenticator>;
};

const registries = new WeakMap<Store, Upstreams>();

/** One registry per server (keyed by its store, which the flow state store writes to). */
export function upstreamsFor(deps: { config: Config; store: Store }): Upstreams {
  const existing = registries.get(deps.store);
  if (existing) return existing;
  let authenticator: passport.Authenticator | undefined;
  const pending = new Map<string, Promise<void>>();
  const register = async (upstream: SocialUpstream) => {
    const [{ default: passport }, strategies] = await Promise.all([import('passport'), import('./strategies.ts')]);
    authenticator ??= new passport.Passport();
    const strategy =
      upstream.kind === 'github'
        ? strategies.gitHubStrategy(upstream, deps.config, deps.store)
        : upstream.kind === 'google'
          ? strategies.googleStrategy(upstream, deps.config, deps.store)
          : upstream.kind === 'apple'
            ? strategies.appleStrategy(upstream, callbackUrl(deps.config, upstream.id))
            : await strategies.oidcStrategy(upstream, deps.config);
    authenticator.use(upstream.id, strategy as never);
  };
  const registry: Upstreams = {
    list: deps.config.social,
    find: (id) => deps.config.social.find((upstream) => upstream.id === id),
    async ready(upstream) {
      let registered = pending.get(upstream.id);
      if (!registered) {
        registered = register(upstream);
        pending.set(upstream.id, registered);
        registered.catch(() => pending.delete(upstream.id));
      }
      await registered;
      return authenticator!;
    },
  };
  registries.set(deps.store, registry);
  return registry;
}
