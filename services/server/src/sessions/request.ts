import type { Request } from 'express';
import Provider from 'oidc-provider';

export type ClientInfo = { ip: string | null; userAgent: string | null };

/**
 * Who is on the other end of the oidc-provider request being served, for
 * adapter calls that have no request argument. Provider.ctx is oidc-provider's
 * AsyncLocalStorage of the koa context; its `req` is the very Node request
 * Express handled, so `ip` is Express's (X-Forwarded-For only through
 * LATCHKEY_TRUST_PROXY), never koa's own.
 */
export function currentClient(): ClientInfo | undefined {
  const ctx = Provider.ctx as { req?: Partial<Request> } | undefined;
  const req = ctx?.req;
  if (!req) return undefined;
  const userAgent = req.headers?.['user-agent'];
  return { ip: req.ip ?? null, userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null };
}
