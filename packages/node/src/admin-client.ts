import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './generated/admin-api.ts';
import { clientCredentials, type TokenSource } from './client-credentials.ts';
import { normalizeIssuer, type FetchLike } from './discovery.ts';

export type AdminClientOptions = {
  issuer: string;
  /** A confidential client allowed the client_credentials grant and the admin scopes it calls with. */
  clientId: string;
  clientSecret: string;
  /** Scopes to ask for (e.g. ['admin:users:read']); default: none named, so the server grants what the client is allowed. */
  scopes?: readonly string[];
  fetch?: FetchLike;
};

export type AdminClient = Client<paths> & { tokens: TokenSource };

/**
 * A typed client for Latchkey's REST API (types generated from
 * openapi/latchkey.json), calling with its own client-credentials token for
 * the API resource `<issuer>/api`, refreshed before it expires. A 401 drops
 * the token, so the next call gets a new one.
 */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  const issuer = normalizeIssuer(options.issuer);
  const tokens = clientCredentials({
    issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    resource: `${issuer}/api`,
    scopes: options.scopes,
    fetch: options.fetch,
  });
  const auth: Middleware = {
    async onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${await tokens.getToken()}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) tokens.invalidate();
      return undefined;
    },
  };
  const client = createClient<paths>({ baseUrl: issuer, ...(options.fetch ? { fetch: options.fetch as typeof fetch } : {}) });
  client.use(auth);
  return Object.assign(client, { tokens });
}
