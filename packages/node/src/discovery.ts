import { AuthServerError } from './errors.ts';

/** The parts of Latchkey's OpenID Provider metadata the SDK uses. */
export type ServerMetadata = {
  issuer: string;
  jwks_uri: string;
  token_endpoint: string;
  introspection_endpoint?: string;
  [name: string]: unknown;
};

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** `issuer` without a trailing slash: how Latchkey spells it in tokens. */
export const normalizeIssuer = (issuer: string): string => issuer.replace(/\/+$/, '');

/** GETs JSON from the authorization server; anything but a 200 with a JSON object is an AuthServerError. */
export async function fetchJson(fetchImpl: FetchLike, url: string, what: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetchImpl(url, { ...init, headers: { accept: 'application/json', ...init.headers }, signal: init.signal ?? AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new AuthServerError(`${what}: ${url} could not be reached`, { cause: error });
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new AuthServerError(`${what}: ${url} answered ${response.status}`);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AuthServerError(`${what}: ${url} did not answer a JSON object`);
  return body as Record<string, unknown>;
}

/**
 * Reads `<issuer>/.well-known/openid-configuration` once (coalesced; a
 * failure is retried on the next call). The document must name the same
 * issuer, so a misconfigured URL fails loudly instead of trusting some other
 * server's keys.
 */
export function createDiscovery(issuer: string, fetchImpl: FetchLike): () => Promise<ServerMetadata> {
  const expected = normalizeIssuer(issuer);
  let pending: Promise<ServerMetadata> | undefined;
  return () => {
    pending ??= (async () => {
      const url = `${expected}/.well-known/openid-configuration`;
      const body = await fetchJson(fetchImpl, url, 'discovery');
      if (body.issuer !== expected) throw new AuthServerError(`discovery: ${url} names issuer ${String(body.issuer)}, expected ${expected}`);
      for (const name of ['jwks_uri', 'token_endpoint'] as const) {
        if (typeof body[name] !== 'string') throw new AuthServerError(`discovery: ${url} has no ${name}`);
      }
      return body as ServerMetadata;
    })().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
