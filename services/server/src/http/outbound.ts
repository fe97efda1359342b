import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Where a URL came from decides where it may lead. 'client': a URL a client
 * supplied (jwks_uri, request_uri, client ID metadata documents, back-channel
 * logout URIs from dynamic registration) reaches public addresses only.
 * 'operator': a URL an operator registered (webhooks, SSF push receivers,
 * back-channel logout URIs set with the CLI or admin API) may be private.
 */
export type OutboundTrust = 'client' | 'operator';

export type OutboundReason = 'private address' | 'too large' | 'too slow' | 'bad status' | 'redirect' | 'bad url' | 'unreachable';

/**
 * An outbound request we refused or gave up on. `status` is the answer's
 * status when one arrived (a redirect, a bad status, a body too large). Never
 * shown to the party that triggered the request: it names our network.
 */
export class OutboundRefused extends Error {
  readonly reason: OutboundReason;
  readonly status: number | undefined;
  readonly httpStatus = 502;
  readonly expose = false;

  constructor(reason: OutboundReason, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'OutboundRefused';
    this.reason = reason;
    this.status = options.status;
  }
}

export type OutboundOptions = {
  /** What the request is for, in logs and the User-Agent (e.g. 'webhook', 'jwks_uri'). */
  purpose: string;
  trust: OutboundTrust;
  /** The response body is read up to this many bytes; more aborts the request. */
  maxBytes?: number;
  /** Connection, request and the whole response together. */
  timeoutMs?: number;
  method?: string;
  headers?: ConstructorParameters<typeof Headers>[0];
  body?: string | Uint8Array | URLSearchParams;
  /** Any other status than these is refused as 'bad status'; unset, every non-redirect status is returned. */
  okStatus?: readonly number[];
  /** The caller's own cancellation (oidc-provider passes a timeout of its own). */
  signal?: AbortSignal;
};

const DEFAULT_MAX_BYTES = 256 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;
// Statuses whose Response may carry no body (the fetch standard's null body statuses).
const NULL_BODY = new Set([101, 204, 205, 304]);

// Special-use ranges (IANA IPv4/IPv6 special-purpose registries): loopback,
// private, CGNAT, link-local, documentation, benchmarking, multicast,
// reserved. IPv6 is public only inside global unicast 2000::/3, so
// IPv4-mapped (::ffff:0:0/96), unique-local, link-local and multicast fall
// outside it; the ranges below are the special ones inside it.
const NOT_PUBLIC = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.31.196.0', 24], ['192.52.193.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['192.175.48.0', 24], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [
  ['2001::', 23], ['2001:db8::', 32], ['2002::', 16], ['2620:4f:8000::', 48], ['3fff::', 20],
] as const) NOT_PUBLIC.addSubnet(prefix, bits, 'ipv6');
const GLOBAL_UNICAST_V6 = new net.BlockList();
GLOBAL_UNICAST_V6.addSubnet('2000::', 3, 'ipv6');

/** Whether an IP address is an ordinary public internet address. */
export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  if (family === 6) return GLOBAL_UNICAST_V6.check(address, 'ipv6') && !NOT_PUBLIC.check(address, 'ipv6');
  return false;
}

// Set once at boot from LATCHKEY_OUTBOUND_PRIVATE (server.ts); development and tests only.
let allowPrivateEverywhere = false;

/** LATCHKEY_OUTBOUND_PRIVATE=allow: client-supplied URLs may reach private addresses too. */
export function configureOutbound(options: { allowPrivate: boolean }): void {
  allowPrivateEverywhere = options.allowPrivate;
}

const publicOnly = (trust: OutboundTrust) => trust === 'client' && !allowPrivateEverywhere;

const privateAddress = (host: string, address: string) =>
  new OutboundRefused('private address', `${host} resolves to ${address}, which is not a public address`);

/**
 * Resolves like the system does, then keeps only public addresses: the
 * socket connects to an address this function returned, so a name that
 * resolves differently the second time (DNS rebinding) gains nothing.
 */
type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;
function publicLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const usable = addresses.filter((entry) => isPublicAddress(entry.address));
    if (!usable.length) return callback(privateAddress(hostname, addresses[0]?.address ?? 'nothing') as unknown as NodeJS.ErrnoException, []);
    if (options.all) return callback(null, usable);
    callback(null, usable[0]!.address, usable[0]!.family);
  });
}

function requestBody(body: OutboundOptions['body'], headers: Headers): Buffer | undefined {
  if (body === undefined) return undefined;
  if (body instanceof URLSearchParams) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
    return Buffer.from(body.toString());
  }
  return Buffer.from(body);
}

function responseHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      // A header fetch's Headers will not hold: skipped, as a browser would.
    }
  }
  return headers;
}

/**
 * The one way Latchkey makes HTTP requests to URLs others gave it. Redirects
 * are never followed (a 3xx is refused as 'redirect'); the body is read
 * whole, up to `maxBytes`; `timeoutMs` bounds the whole exchange. Returns a
 * fetch Response over the body already read.
 */
export async function outboundFetch(target: string | URL, options: OutboundOptions): Promise<Response> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new OutboundRefused('bad url', `${options.purpose}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRefused('bad url', `${options.purpose}: only http(s) URLs are fetched`);
  if (url.username || url.password) throw new OutboundRefused('bad url', `${options.purpose}: URLs with credentials are not fetched`);
  const guard = publicOnly(options.trust);
  // An address literal is never looked up, so it is judged here.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (guard && net.isIP(host) && !isPublicAddress(host)) throw privateAddress(host, host);

  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const headers = new Headers(options.headers);
  if (!headers.get('user-agent')) headers.set('user-agent', `Latchkey (${options.purpose})`);
  const body = requestBody(options.body, headers);
  if (body) headers.set('content-length', String(body.byteLength));

  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const finish = (error: unknown, response?: Response) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        request.destroy();
        reject(error);
      } else resolve(response!);
    };
    const started = performance.now();
    const tooSlow = (limitMs: number) => new OutboundRefused('too slow', `${options.purpose}: no complete answer within ${limitMs} ms`);
    // The caller's own timeout may be the shorter one: the message names the time actually allowed.
    const onAbort = () => {
      const reason = options.signal?.reason as { name?: string } | undefined;
      const elapsed = Math.round(performance.now() - started);
      finish(reason?.name === 'TimeoutError' || reason === undefined ? tooSlow(Math.min(elapsed, timeoutMs)) : reason);
    };

    const send = url.protocol === 'https:' ? https.request : http.request;
    const request = send(url, {
      method: options.method ?? 'GET',
      headers: Object.fromEntries(headers),
      agent: false,
      ...(guard ? { lookup: publicLookup as unknown as typeof dns.lookup } : {}),
    });
    const timer = setTimeout(() => finish(tooSlow(timeoutMs)), timeoutMs);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    // Second look, at the address the socket is actually connected to.
    if (guard) {
      request.on('socket', (socket) => {
        socket.once('connect', () => {
          const address = socket.remoteAddress;
          if (address && !isPublicAddress(address)) finish(privateAddress(host, address));
        });
      });
    }

    request.on('error', (err) => {
      if (err instanceof OutboundRefused) return finish(err);
      const code = (err as NodeJS.ErrnoException).code ?? err.message;
      finish(new OutboundRefused('unreachable', `${options.purpose}: ${code}`, { cause: err }));
    });

    request.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304) {
        res.resume();
        return finish(new OutboundRefused('redirect', `${options.purpose}: answered ${status}; redirects are not followed`, { status }));
      }
      if (options.okStatus && !options.okStatus.includes(status)) {
        res.resume();
        return finish(new OutboundRefused('bad status', `${options.purpose}: answered ${status}`, { status }));
      }
      const tooLarge = () => new OutboundRefused('too large', `${options.purpose}: answer larger than ${maxBytes} bytes`, { status });
      if (Number(res.headers['content-length']) > maxBytes) return finish(tooLarge());
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > maxBytes) return finish(tooLarge());
        chunks.push(chunk);
      });
      res.on('error', (err) => finish(new OutboundRefused('unreachable', `${options.purpose}: answer cut off`, { status, cause: err })));
      res.on('end', () => {
        const data = NULL_BODY.has(status) ? null : Buffer.concat(chunks);
        const answerHeaders = responseHeaders(res.rawHeaders);
        // The body is whole, so its length is known: a reader with a smaller limit of its own
        // (oidc-provider's fetch_body_check) refuses on the header instead of cancelling a stream it has locked.
        if (data) {
          answerHeaders.delete('transfer-encoding');
          answerHeaders.set('content-length', String(data.byteLength));
        }
        try {
          finish(null, new Response(data, { status, statusText: res.statusMessage, headers: answerHeaders }));
        } catch (err) {
          finish(new OutboundRefused('bad status', `${options.purpose}: unusable answer (${status})`, { status, cause: err }));
        }
      });
    });

    request.end(body);
  });
}
