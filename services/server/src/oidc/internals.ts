import { hash } from 'node:crypto';
import type { Knex } from 'knex';
import Provider, { errors } from 'oidc-provider';
import type { Keyring } from '../crypto/keyring.ts';
import { claimReplay } from '../db/oidc-models.ts';
import type { Store } from '../store/index.ts';

/** RFC 8628 §3.5: clients must wait this long between polls (oidc-provider omits `interval`, so 5 s applies). */
export const DEVICE_POLL_INTERVAL_SECONDS = 5;

type ModelStatic = { find: (...args: unknown[]) => Promise<unknown> };

/**
 * The only place that reaches into oidc-provider beyond its documented
 * configuration. Each patch says why; re-check them on every upgrade.
 */
export function applyInternals(provider: Provider, deps: { keyring: Keyring; store: Store; knex: Knex }): void {
  // We store client secrets as keyed hashes (DESIGN.md: secrets hashed at
  // rest), so the client's `clientSecret` is the hash and comparison must go
  // through the keyring. Symmetric uses of the secret (HS* signing,
  // client_secret_jwt) are disabled in configuration.ts for the same reason.
  const clientPrototype = (provider.Client as unknown as { prototype: { clientSecret?: string; compareClientSecret: (actual: string) => boolean } }).prototype;
  clientPrototype.compareClientSecret = function compareClientSecret(actual: string) {
    return typeof this.clientSecret === 'string' && typeof actual === 'string' && deps.keyring.verify('client-secret', actual, this.clientSecret);
  };

  // oidc-provider defines `slow_down` but never sends it. A device code looked
  // up at the token endpoint is a poll; the first poll in each interval
  // claims a key in the shared store (atomic across replicas), later ones are
  // told to slow down.
  const DeviceCode = provider.DeviceCode as unknown as ModelStatic;
  const find = DeviceCode.find.bind(DeviceCode);
  DeviceCode.find = async (...args: unknown[]) => {
    const code = (await find(...args)) as { jti: string } | undefined;
    const ctx = Provider.ctx as { oidc?: { route?: string } } | undefined;
    if (code && ctx?.oidc?.route === 'token') {
      const first = await deps.store.setIfAbsent(`device_poll:${code.jti}`, '1', DEVICE_POLL_INTERVAL_SECONDS);
      if (!first) throw new errors.SlowDown();
    }
    return code;
  };

  // oidc-provider checks a DPoP proof's or client assertion's jti with a
  // find followed by a save, so two parallel replays could both pass. Claim
  // the jti with one insert instead; the row's unique key decides.
  const ReplayDetection = provider.ReplayDetection as unknown as { unique: (iss: string, jti: string, exp: number) => Promise<boolean> };
  ReplayDetection.unique = async (iss, jti, exp) => {
    const id = hash('sha256', `${iss}${jti}`, 'base64url');
    const now = Math.floor(Date.now() / 1000);
    return claimReplay(deps.knex, id, { iat: now, exp, jti: id, iss, kind: 'ReplayDetection' }, Math.max(exp - now, 1));
  };
}
