import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/env.ts';
import { configureOutbound, isPublicAddress, outboundFetch, OutboundRefused } from '../src/http/outbound.ts';

/** A server on 127.0.0.1 whose routes say how to misbehave; `hits` counts requests per path. */
function startTarget(): Promise<{ url: string; hits: Map<string, number>; close: () => Promise<void> }> {
  const hits = new Map<string, number>();
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/ok': (req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, body })));
    },
    '/big': (_req, res) => {
      // Chunked, no Content-Length: the limit must hold while reading.
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 'x');
      for (let i = 0; i < 8; i += 1) res.write(chunk);
      res.end();
    },
    '/big-declared': (_req, res) => res.writeHead(200, { 'content-length': String(1024 * 1024) }).end(Buffer.alloc(1024 * 1024)),
    '/slow': (_req, res) => {
      res.writeHead(200);
      res.write('start');
      setTimeout(() => res.end('end'), 2_000).unref();
    },
    '/redirect': (_req, res) => res.writeHead(302, { location: '/ok' }).end(),
    '/teapot': (_req, res) => res.writeHead(418).end('no'),
  };
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    (routes[path] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        hits,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    }),
  );
}

const refusal = async (promise: Promise<unknown>): Promise<OutboundRefused> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundRefused) return error;
    throw error;
  }
  throw new Error('the request was not refused');
};

describe('outboundFetch', () => {
  let target: Awaited<ReturnType<typeof startTarget>>;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(async () => {
    await target?.close();
  });
  afterEach(() => configureOutbound({ allowPrivate: false }));

  it('refuses a client-supplied URL at 127.0.0.1 and never connects to it', async () => {
    const error = await refusal(outboundFetch(`${target.url}/ok`, { purpose: 'jwks_uri', trust: 'client' }));
    expect(error.reason).toBe('private address');
    expect(target.hits.get('/ok') ?? 0).toBe(0);
  });

  it('refuses a host name that resolves to loopback (checked on the resolved address)', async () => {
    const port = new URL(target.url).port;
    const error = await refusal(outboundFetch(`http://localhost:${port}/ok`, { purpose: 'jwks_uri', trust: 'client' }));
    expect(error.reason).toBe('private address');
    expect(error.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
    expect(target.hits.get('/ok') ?? 0).toBe(0);
  });

  it('refuses IPv4-mapped and other special-use address literals', async () => {
    for (const host of ['[::ffff:127.0.0.1]', '[::1]', '0.0.0.0', '169.254.169.254', '10.1.2.3', '[fd00::1]']) {
      const error = await refusal(outboundFetch(`http://${host}:9/`, { purpose: 'test', trust: 'client', timeoutMs: 500 }));
      expect(error.reason, host).toBe('private address');
    }
  });

  it('reaches the same server when an operator registered the URL, or when LATCHKEY_OUTBOUND_PRIVATE=allow', async () => {
    const operator = await outboundFetch(`${target.url}/ok`, { purpose: 'webhook', trust: 'operator', method: 'POST', body: 'hello' });
    expect(operator.status).toBe(200);
    expect(await operator.json()).toEqual({ method: 'POST', body: 'hello' });

    configureOutbound({ allowPrivate: true });
    const client = await outboundFetch(`http://localhost:${new URL(target.url).port}/ok`, { purpose: 'jwks_uri', trust: 'client' });
    expect(client.status).toBe(200);
  });

  it('aborts an answer larger than maxBytes, declared or not', async () => {
    const chunked = await refusal(outboundFetch(`${target.url}/big`, { purpose: 'test', trust: 'operator', maxBytes: 32 * 1024 }));
    expect(chunked).toMatchObject({ reason: 'too large', status: 200 });
    const declared = await refusal(outboundFetch(`${target.url}/big-declared`, { purpose: 'test', trust: 'operator', maxBytes: 32 * 1024 }));
    expect(declared.reason).toBe('too large');
    const fits = await outboundFetch(`${target.url}/big`, { purpose: 'test', trust: 'operator', maxBytes: 128 * 1024 });
    // The answer read whole declares its length, so a reader with a smaller limit can refuse on the header.
    expect(fits.headers.get('content-length')).toBe(String(128 * 1024));
    expect(fits.headers.has('transfer-encoding')).toBe(false);
    expect((await fits.arrayBuffer()).byteLength).toBe(128 * 1024);
  });

  it('gives up on a server that answers too slowly: the timeout covers the whole exchange', async () => {
    const started = Date.now();
    const error = await refusal(outboundFetch(`${target.url}/slow`, { purpose: 'test', trust: 'operator', timeoutMs: 300 }));
    expect(error.reason).toBe('too slow');
    expect(error.message).toMatch(/within 300 ms/);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("names the caller's shorter time limit when its own signal ends the request", async () => {
    const error = await refusal(outboundFetch(`${target.url}/slow`, { purpose: 'test', trust: 'operator', timeoutMs: 5_000, signal: AbortSignal.timeout(200) }));
    expect(error.reason).toBe('too slow');
    const named = Number(/within (\d+) ms/.exec(error.message)?.[1]);
    expect(named).toBeGreaterThanOrEqual(190);
    expect(named).toBeLessThan(1_000);
  });

  it('does not follow a redirect', async () => {
    const before = target.hits.get('/ok') ?? 0;
    const error = await refusal(outboundFetch(`${target.url}/redirect`, { purpose: 'test', trust: 'operator' }));
    expect(error).toMatchObject({ reason: 'redirect', status: 302 });
    expect(target.hits.get('/ok') ?? 0).toBe(before);
  });

  it('refuses a status the caller did not expect, when it names the ones it does', async () => {
    const error = await refusal(outboundFetch(`${target.url}/teapot`, { purpose: 'test', trust: 'operator', okStatus: [200] }));
    expect(error).toMatchObject({ reason: 'bad status', status: 418 });
    expect((await outboundFetch(`${target.url}/teapot`, { purpose: 'test', trust: 'operator' })).status).toBe(418);
  });

  it('tells public addresses from special-use ones', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001::1']) expect(isPublicAddress(address), address).toBe(true);
    for (const address of [
      '127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '169.254.169.254', '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1',
      '::1', '::', '::ffff:8.8.8.8', '::ffff:127.0.0.1', 'fc00::1', 'fe80::1', 'ff02::1', '2001:db8::1', '2002:7f00:1::', '64:ff9b::7f00:1', 'not-an-ip',
    ]) expect(isPublicAddress(address), address).toBe(false);
  });

  it('LATCHKEY_OUTBOUND_PRIVATE takes allow or deny, and fails at boot on anything else', () => {
    expect(loadConfig({ LATCHKEY_OUTBOUND_PRIVATE: 'allow' }).outboundPrivate).toBe(true);
    expect(loadConfig({}).outboundPrivate).toBe(false);
    expect(() => loadConfig({ LATCHKEY_OUTBOUND_PRIVATE: 'yes' })).toThrow(ConfigError);
    expect(() => loadConfig({ LATCHKEY_OUTBOUND_PRIVATE: 'yes' })).toThrow(/LATCHKEY_OUTBOUND_PRIVATE must be 'allow' or 'deny'/);
  });
});
