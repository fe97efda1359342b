import { outboundFetch } from '../http/outbound.ts';

// jwks_uri, sector_identifier_uri, request_uri and client ID metadata documents are all small;
// oidc-provider applies its own per-purpose limits (fetchResponseBodyLimits) under this one.
const MAX_BYTES = 256 * 1024;
// oidc-provider aborts its own requests after 2.5 s (fetch_request.js); ours is the same, so either names that limit.
const TIMEOUT_MS = 2_500;

/**
 * oidc-provider's `fetch`: every URL it fetches came from a client, so it
 * goes through outboundFetch as client-supplied (public addresses only unless
 * LATCHKEY_OUTBOUND_PRIVATE=allow). The `dispatcher` oidc-provider sets
 * (its own special-use address check) is ignored: ours replaces it, so the
 * setting applies to the provider's requests as to ours. Its `signal`
 * (2.5 s, as our own limit) still cuts the request short.
 */
export async function providerFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = input instanceof Request ? input.url : input;
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof URLSearchParams) && !(body instanceof Uint8Array)) {
    throw new TypeError('providerFetch: unsupported request body');
  }
  return outboundFetch(url, {
    purpose: 'oidc-provider',
    trust: 'client',
    method: init.method,
    headers: init.headers,
    body: body ?? undefined,
    signal: init.signal ?? undefined,
    maxBytes: MAX_BYTES,
    timeoutMs: TIMEOUT_MS,
  });
}
