import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/http/logger.ts';
import { parsePrometheus, sampleValue } from './support/prometheus.ts';
import { rawRequest } from './support/raw-http.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/**
 * The provider's machine endpoints are served beside Express (the provider
 * lane, src/http/provider-lane.ts). A client must not be able to tell:
 * the same headers, request line, metrics and limits as every other
 * request, and refusals answered as the app answers them.
 */
const METRICS_TOKEN = randomBytes(32).toString('base64url');
const SECURITY_HEADERS = ['x-content-type-options', 'referrer-policy', 'x-frame-options', 'cross-origin-opener-policy', 'content-security-policy'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the provider lane', () => {
  let server: TestServer;
  let basic: string;
  const lines: string[] = [];
  beforeAll(async () => {
    const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(...String(chunk).split('\n').filter(Boolean)), done()) });
    server = await startTestServer({
      logger: createLogger({ level: 'info', destination }),
      env: { LATCHKEY_TRUST_PROXY: 'loopback', LATCHKEY_RATE_LIMITS: 'token.ip=3/1m,client-auth.ip=2/15m', LATCHKEY_METRICS_TOKEN: METRICS_TOKEN },
    });
    const { client_id, client_secret } = await server.createClient({ grant_types: ['client_credentials'], scope: '' });
    basic = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;
  }, 60_000);
  afterAll(() => server?.stop());

  const tokenRequest = (from: string, init: { headers?: Record<string, string>; body?: string; path?: string } = {}) =>
    fetch(`${server.url}${init.path ?? '/token'}`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from, ...init.headers },
      body: init.body ?? 'grant_type=client_credentials',
    });
  const lineFor = async (reqId: string | null) => {
    // The request line is written when the response has finished.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const found = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.reqId === reqId && line.msg === 'request');
    expect(found, `a request line with reqId ${reqId}`).toBeDefined();
    return found!;
  };
  const requestCount = async (labels: Record<string, string>) => {
    const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    return sampleValue(parsePrometheus(await scraped.text()), 'latchkey_http_request_duration_seconds_count', labels) ?? 0;
  };

  it('gives a token answer the security headers and request id every app answer has, logs it with the client address LATCHKEY_TRUST_PROXY resolves, and counts it under the provider route', async () => {
    const before = await requestCount({ route: 'token', method: 'POST', status: '200' });
    const token = await tokenRequest('198.51.100.7');
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ token_type: 'Bearer' });
    // An answer of the app (its health check) for comparison: the same values, header by header.
    const health = await fetch(`${server.url}/healthz`);
    for (const name of SECURITY_HEADERS) {
      expect(token.headers.get(name), name).toBeTruthy();
      expect(token.headers.get(name), name).toBe(health.headers.get(name));
    }
    const id = token.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(await lineFor(id)).toMatchObject({ method: 'POST', url: '/token', status: 200, ip: '198.51.100.7' });
    expect(await requestCount({ route: 'token', method: 'POST', status: '200' })).toBe(before + 1);
  });

  it('limits POST /token per client address through the same budget, answering 429 with Retry-After, counted under /token', async () => {
    const address = '198.51.100.20';
    for (let i = 0; i < 3; i += 1) expect((await tokenRequest(address)).status).toBe(200);
    const refused = await tokenRequest(address);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-request-id')).toMatch(UUID);
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect(await lineFor(refused.headers.get('x-request-id'))).toMatchObject({ status: 429, ip: address });
    expect(await requestCount({ route: '/token', method: 'POST', status: '429' })).toBeGreaterThanOrEqual(1);
    // Another client address has its own budget: the limit keys on what LATCHKEY_TRUST_PROXY resolved.
    expect((await tokenRequest('198.51.100.21')).status).toBe(200);
  });

  it('gives the provider the same client address: wrong client secrets are limited per address LATCHKEY_TRUST_PROXY resolves', async () => {
    const { client_id } = await server.createClient({ grant_types: ['client_credentials'], scope: '' });
    const wrong = { authorization: `Basic ${Buffer.from(`${client_id}:not-the-secret`).toString('base64')}` };
    expect((await tokenRequest('198.51.100.40', { headers: wrong })).status).toBe(401);
    expect((await tokenRequest('198.51.100.40', { headers: wrong })).status).toBe(401);
    expect((await tokenRequest('198.51.100.40', { headers: wrong })).status).toBe(429);
    expect((await tokenRequest('198.51.100.41', { headers: wrong })).status).toBe(401);
  });

  it('leaves refusals to the app: a foreign Host (421), a body over the limit (413), a NUL in the query (400), each logged and counted', async () => {
    // fetch will not send another Host.
    const misdirected = await rawRequest({
      port: Number(new URL(server.url).port),
      path: '/token',
      method: 'POST',
      headers: { host: 'attacker.example', authorization: basic, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.30' },
      body: 'grant_type=client_credentials',
    });
    expect(misdirected.status).toBe(421);
    expect(JSON.parse(misdirected.body)).toMatchObject({ error: 'misdirected_request' });
    expect(await lineFor(String(misdirected.headers['x-request-id']))).toMatchObject({ status: 421, ip: '198.51.100.30' });
    expect(await requestCount({ route: 'unmatched', method: 'POST', status: '421' })).toBeGreaterThanOrEqual(1);

    const large = await tokenRequest('198.51.100.31', { body: `grant_type=client_credentials&pad=${'a'.repeat(60 * 1024)}` });
    expect(large.status).toBe(413);
    expect(large.headers.get('connection')).toBe('close');
    expect(await large.json()).toMatchObject({ error: 'invalid_request' });

    const nul = await fetch(`${server.url}/jwks?x=%00`);
    expect(nul.status).toBe(400);
    expect(await nul.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('NUL') });
    expect(nul.headers.get('x-request-id')).toMatch(UUID);
  });

  it('serves the other spellings Express routes to the provider (a trailing slash) as before', async () => {
    const lane = await fetch(`${server.url}/.well-known/openid-configuration`);
    const app = await fetch(`${server.url}/.well-known/openid-configuration/`);
    expect(lane.status).toBe(200);
    expect(app.status).toBe(200);
    expect(await app.json()).toEqual(await lane.json());
    for (const name of [...SECURITY_HEADERS, 'cache-control']) expect(app.headers.get(name), name).toBe(lane.headers.get(name));
  });
});
