import type { TokenSource } from './client-credentials.ts';
import { fetchJson, type FetchLike } from './discovery.ts';
import { AuthServerError, LatchkeyError } from './errors.ts';
import { REQUESTED_EVENTS } from './signal-events.ts';

export const PUSH = 'urn:ietf:rfc:8935';
export const POLL = 'urn:ietf:rfc:8936';

/** The parts of SSF 1.0 §7 transmitter metadata the receiver uses. */
export type SsfConfiguration = { issuer: string; jwks_uri: string; configuration_endpoint: string; [name: string]: unknown };

export type Stream = { stream_id: string; aud: string[]; delivery: { method: string; endpoint_url?: string } };

export async function loadSsfConfiguration(issuer: string, fetchImpl: FetchLike): Promise<SsfConfiguration> {
  const url = `${issuer}/.well-known/ssf-configuration`;
  const body = await fetchJson(fetchImpl, url, 'SSF configuration');
  if (body.issuer !== issuer) throw new AuthServerError(`SSF configuration: ${url} names issuer ${String(body.issuer)}, expected ${issuer}`);
  for (const name of ['jwks_uri', 'configuration_endpoint'] as const) {
    if (typeof body[name] !== 'string') throw new AuthServerError(`SSF configuration: ${url} has no ${name}`);
  }
  return body as SsfConfiguration;
}

function readStream(value: unknown): Stream | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const s = value as Record<string, unknown>;
  const delivery = s.delivery as Record<string, unknown> | undefined;
  if (typeof s.stream_id !== 'string' || typeof delivery?.method !== 'string') return undefined;
  const aud = [s.aud ?? []].flat().filter((a): a is string => typeof a === 'string');
  return { stream_id: s.stream_id, aud, delivery: { method: delivery.method, endpoint_url: typeof delivery.endpoint_url === 'string' ? delivery.endpoint_url : undefined } };
}

export type StreamRequest = { method: typeof PUSH | typeof POLL; endpointUrl?: string; authorizationHeader?: string; description?: string };

/**
 * The receiver's stream: one of its own with the same delivery (method, and
 * for push the same URL) when it has one — a restart picks up what was
 * queued meanwhile — else a new one requesting the events the SDK handles.
 * With `replace`, a matching push stream is deleted and made again (a new
 * authorization header cannot be set on a stream the receiver only lists).
 */
export async function ensureStream(config: SsfConfiguration, tokens: TokenSource, request: StreamRequest, fetchImpl: FetchLike, replace = false): Promise<Stream> {
  const endpoint = config.configuration_endpoint;
  const call = async (init: RequestInit, what: string, url = endpoint) => {
    const response = await fetchImpl(url, {
      ...init,
      headers: { authorization: `Bearer ${await tokens.getToken()}`, accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
      signal: AbortSignal.timeout(10_000),
    }).catch((error: unknown) => {
      throw new AuthServerError(`SSF ${what}: ${url} could not be reached`, { cause: error });
    });
    if (response.status === 401 || response.status === 403) {
      tokens.invalidate();
      // A configuration problem (the client lacks the ssf scope), not an outage.
      throw new LatchkeyError(500, 'ssf_refused', `SSF ${what} refused (${response.status}): does the client have the ssf scope?`, { expose: false });
    }
    return response;
  };

  const listed = await call({ method: 'GET' }, 'stream list');
  if (listed.status !== 200) throw new AuthServerError(`SSF stream list answered ${listed.status}`);
  const body: unknown = await listed.json().catch(() => undefined);
  const streams = (Array.isArray(body) ? body : [body]).map(readStream).filter((s): s is Stream => s !== undefined);
  const same = streams.find((s) => s.delivery.method === request.method && (request.method === POLL || s.delivery.endpoint_url === request.endpointUrl));
  if (same && !replace) return same;
  if (same) {
    const deleted = await call({ method: 'DELETE' }, 'stream delete', `${endpoint}?stream_id=${encodeURIComponent(same.stream_id)}`);
    await deleted.body?.cancel();
  }

  const created = await call(
    {
      method: 'POST',
      body: JSON.stringify({
        delivery: {
          method: request.method,
          ...(request.endpointUrl ? { endpoint_url: request.endpointUrl } : {}),
          ...(request.authorizationHeader ? { authorization_header: request.authorizationHeader } : {}),
        },
        events_requested: REQUESTED_EVENTS,
        ...(request.description ? { description: request.description } : {}),
      }),
    },
    'stream create',
  );
  const stream = readStream(await created.json().catch(() => undefined));
  if ((created.status !== 200 && created.status !== 201) || !stream) throw new AuthServerError(`SSF stream create answered ${created.status}`);
  return stream;
}
