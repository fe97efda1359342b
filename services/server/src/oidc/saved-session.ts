import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

type SessionGet = { get: (ctx: { req: IncomingMessage; res: ServerResponse }) => Promise<{ exp?: unknown }> };

/**
 * Whether the request's session cookie names a session oidc-provider has
 * saved. Its device form is checked against that session; without one,
 * oidc-provider rejects the form and then fails to persist a session that
 * never existed (a 500), so callers answer first. `Session.get` is how
 * oidc-provider itself reads the cookie (signed, with its own name).
 */
export async function hasSavedSession(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const session = await (provider.Session as unknown as SessionGet).get({ req, res });
  return typeof session.exp === 'number';
}
