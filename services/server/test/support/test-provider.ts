import { generateKeyPairSync } from 'node:crypto';
import Provider, { type Configuration } from 'oidc-provider';

/**
 * A quiet oidc-provider for adapter suites: our adapter, a real signing key
 * (no "development keys" warning), no dev interactions.
 */
export function testProvider(adapter: Configuration['adapter'], extra: Configuration = {}): Provider {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return new Provider('http://localhost', {
    adapter,
    jwks: { keys: [{ ...key, kid: 'test', alg: 'RS256', use: 'sig' }] } as Configuration['jwks'],
    ttl: { ClientCredentials: 600 },
    ...extra,
    features: { devInteractions: { enabled: false }, ...extra.features },
  });
}
