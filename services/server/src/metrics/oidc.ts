import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Metrics } from './registry.ts';
import { setRouteLabel } from './route.ts';

// Grant types a client may name; anything else is counted as 'other' so a
// made-up grant_type cannot add a series.
const GRANT_TYPES = new Set([
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
  'urn:openid:params:grant-type:ciba',
]);
const TOKENS = ['access_token', 'refresh_token', 'id_token'] as const;
const grantTypeOf = (ctx: KoaContextWithOIDC): string => {
  const value = ctx.oidc?.params?.grant_type;
  return typeof value === 'string' && GRANT_TYPES.has(value) ? value : 'other';
};
// OAuth error codes are a short fixed list, but a custom error could carry anything.
const errorCodeOf = (error: unknown): string => {
  const code = (error as { error?: unknown } | undefined)?.error;
  return typeof code === 'string' && /^[a-z_]{1,40}$/.test(code) ? code : 'other';
};

/**
 * Hooks one provider instance (a new one is built on every key rotation):
 * names the route it matched for the request metrics, and counts what the
 * token endpoint issued or refused, through the provider's public `use` and
 * events.
 */
export function observeProvider(metrics: Metrics): (provider: Provider) => void {
  return (provider) => {
    provider.use(async (ctx, next) => {
      try {
        await next();
      } finally {
        const route = (ctx as KoaContextWithOIDC).oidc?.route;
        if (route) setRouteLabel(ctx.req, route);
      }
    });
    provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      const grantType = grantTypeOf(ctx);
      for (const token of TOKENS) if (body[token]) metrics.tokensIssued.inc({ grant_type: grantType, token });
    });
    provider.on('grant.error', (ctx: KoaContextWithOIDC, error: unknown) => {
      metrics.tokenErrors.inc({ grant_type: grantTypeOf(ctx), error: errorCodeOf(error) });
    });
  };
}
