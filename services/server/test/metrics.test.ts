import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { clientCredentialsToken } from './support/api.ts';
import { signInWithCode } from './support/code-flow.ts';
import { post, startFlow } from './support/email-code-flow.ts';
import { parsePrometheus, sampleValue, scrape } from './support/prometheus.ts';
import { canUseRealServices, freePort, startTestServer, type TestServer } from './support/server.ts';

/**
 * /metrics against real servers: what real traffic (an OAuth client, a
 * browser-like sign-in, a flood) shows up as, with bounded labels only.
 */
const TOKEN = randomBytes(32).toString('base64url');
const TOKEN_LIMIT = 6;

describe('metrics on the public port, behind LATCHKEY_METRICS_TOKEN', () => {
  let pglite: PGlite;
  let server: TestServer;
  let separate: TestServer;
  let metricsPort: number;
  beforeAll(async () => {
    pglite = await PGlite.create();
    metricsPort = await freePort();
    const secrets = randomBytes(32).toString('base64url');
    server = await startTestServer({
      pglite,
      secrets,
      env: { LATCHKEY_METRICS_TOKEN: TOKEN, LATCHKEY_RATE_LIMITS: `token.ip=${TOKEN_LIMIT}/1m`, LATCHKEY_TRUST_PROXY: 'loopback' },
    });
    separate = await startTestServer({ pglite, secrets, env: { LATCHKEY_METRICS_PORT: String(metricsPort), LATCHKEY_METRICS_TOKEN: TOKEN } });
  }, 60_000);
  afterAll(async () => {
    await separate?.stop();
    await server?.stop();
    await pglite?.close();
  });

  const metrics = () => scrape(`${server.url}/metrics`, TOKEN);

  it('refuses a scrape without the bearer token or with a wrong one (401), answers any Host with it', async () => {
    const none = await fetch(`${server.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await none.text()).not.toContain('latchkey_');
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN.slice(1)}x` } });
    expect(wrong.status).toBe(401);
    // Prometheus addresses a replica by IP: the issuer's Host check does not apply.
    const byIp = await fetch(`${server.url.replace('localhost', '127.0.0.1')}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(byIp.status).toBe(200);
    expect(byIp.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheus(await byIp.text());
    // Default process metrics, event-loop lag among them.
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('counts tokens by grant type and token, refused grants by error, and token requests under the route name', async () => {
    await clientCredentialsToken(server, []);
    const { config, tokens } = await signInWithCode(server);
    await client.refreshTokenGrant(config, tokens.refresh_token!);
    // The rotated refresh token again: refused (invalid_grant).
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    const samples = await metrics();
    const issued = (grant_type: string, token: string) => sampleValue(samples, 'latchkey_tokens_issued_total', { grant_type, token });
    expect(issued('client_credentials', 'access_token')).toBe(1);
    expect(issued('client_credentials', 'refresh_token')).toBeUndefined();
    expect(issued('authorization_code', 'access_token')).toBe(1);
    expect(issued('authorization_code', 'id_token')).toBe(1);
    expect(issued('authorization_code', 'refresh_token')).toBe(1);
    expect(issued('refresh_token', 'access_token')).toBe(1);
    expect(sampleValue(samples, 'latchkey_token_errors_total', { grant_type: 'refresh_token', error: 'invalid_grant' })).toBe(1);

    const requests = (labels: Record<string, string>) => sampleValue(samples, 'latchkey_http_request_duration_seconds_count', labels);
    expect(requests({ route: 'token', method: 'POST', status: '200' })).toBe(3);
    expect(requests({ route: 'token', method: 'POST', status: '400' })).toBe(1);
    expect(requests({ route: 'discovery', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(requests({ route: 'authorization', method: 'GET' })).toBeGreaterThanOrEqual(1);
    // A latency histogram: cumulative buckets up to +Inf equal to the count.
    const inf = sampleValue(samples, 'latchkey_http_request_duration_seconds_bucket', { route: 'token', method: 'POST', status: '200', le: '+Inf' });
    expect(inf).toBe(3);
    expect(sampleValue(samples, 'latchkey_http_request_duration_seconds_sum', { route: 'token', method: 'POST', status: '200' })).toBeGreaterThan(0);
  });

  it('counts sign-ins by method and outcome', async () => {
    const email = `metrics-${randomBytes(4).toString('hex')}@example.com`;
    await server.createUser({ email, password_hash: await hashPassword('plum tree harbour lantern') });
    const before = await metrics();
    const signIns = (samples: typeof before, outcome: string) => sampleValue(samples, 'latchkey_sign_ins_total', { method: 'pwd', outcome }) ?? 0;

    const wrongFlow = await startFlow(server);
    expect((await post(wrongFlow, `/interaction/${wrongFlow.uid}/password`, { email, password: 'not the password at all' })).status).toBe(401);
    const flow = await startFlow(server);
    expect((await post(flow, `/interaction/${flow.uid}/password`, { email, password: 'plum tree harbour lantern' })).status).toBe(303);

    const after = await metrics();
    expect(signIns(after, 'failure') - signIns(before, 'failure')).toBe(1);
    expect(signIns(after, 'success') - signIns(before, 'success')).toBe(1);
    // The hosted pages are counted by their Express route pattern.
    expect(sampleValue(after, 'latchkey_http_request_duration_seconds_count', { route: '/interaction/:uid/password', method: 'POST', status: '303' })).toBe(1);
  });

  it('counts a rate-limit refusal under the limit name', async () => {
    const ip = '192.0.2.77';
    const statuses: number[] = [];
    for (let i = 0; i <= TOKEN_LIMIT; i += 1) {
      const response = await fetch(`${server.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
        body: 'grant_type=client_credentials&client_id=nobody',
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses.at(-1)).toBe(429);
    const samples = await metrics();
    expect(sampleValue(samples, 'latchkey_rate_limit_refusals_total', { limit: 'token' })).toBe(1);
    // Refused in front of the provider: counted under the Express pattern it matched.
    expect(sampleValue(samples, 'latchkey_http_request_duration_seconds_count', { route: '/token', status: '429' })).toBe(1);
  });

  it('labels requests by route pattern or name, never by raw path', async () => {
    const secret = randomBytes(9).toString('hex');
    const paths = [
      `/interaction/${secret}`,
      `/interaction/${secret}/password`,
      `/api/v1/admin/users/${secret}`,
      `/wp-admin/${secret}.php`,
      `/auth/${secret}`,
      `/token?code=${secret}`,
      `/${secret}`,
    ];
    for (const path of paths) await (await fetch(`${server.url}${path}`)).arrayBuffer();
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(text).not.toContain(secret);
    const routes = new Set(parsePrometheus(text).filter((s) => s.labels.route !== undefined).map((s) => s.labels.route!));
    expect(routes).toContain('unmatched');
    // Every label is a provider route name, an Express pattern (params as :name) or 'unmatched'.
    for (const route of routes) expect(route).toMatch(/^(?:[a-z_.]+|(?:\/(?:[\w.-]+|:\w+\??|\*\w*))+(?:\|(?:\/(?:[\w.-]+|:\w+))+)*|\/)$/);
  });

  it('shows database query latency, the pool and the signing key age', async () => {
    const samples = await metrics();
    expect(sampleValue(samples, 'latchkey_db_query_duration_seconds_count', { operation: 'select', outcome: 'ok' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'latchkey_db_query_duration_seconds_count', { operation: 'insert', outcome: 'ok' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'latchkey_db_pool_max')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'latchkey_db_pool_connections', { state: 'pending_acquire' })).toBe(0);
    const age = sampleValue(samples, 'latchkey_signing_key_age_seconds', { alg: 'RS256' });
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(3600);
    // Without Redis there is no Redis gauge to mislead.
    expect(sampleValue(samples, 'latchkey_redis_up')).toBeUndefined();
  });

  it('exports every metric the Grafana dashboard (deploy/grafana/latchkey.json) queries', async () => {
    const dashboard = JSON.parse(await readFile(new URL('../../../deploy/grafana/latchkey.json', import.meta.url), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
    const queried = new Set(
      dashboard.panels.flatMap((panel) => panel.targets ?? []).flatMap((target) => [...target.expr.matchAll(/\b((?:latchkey|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''))),
    );
    expect(queried.size).toBeGreaterThan(8);
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    // latchkey_redis_up exists only with Redis (checked on Postgres + Redis below).
    const exported = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!).concat('latchkey_redis_up'));
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('LATCHKEY_METRICS_PORT serves /metrics on its own port only, still behind the token', async () => {
    expect(separate.metricsUrl).toBe(`http://localhost:${metricsPort}/metrics`);
    expect((await fetch(`${separate.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    expect((await fetch(separate.metricsUrl!)).status).toBe(401);
    const other = await fetch(`http://127.0.0.1:${metricsPort}/healthz`);
    expect(other.status).toBe(404);
    await (await fetch(`${separate.url}/.well-known/openid-configuration`)).arrayBuffer();
    const samples = await scrape(separate.metricsUrl!, TOKEN);
    expect(sampleValue(samples, 'latchkey_http_request_duration_seconds_count', { route: 'discovery', status: '200' })).toBe(1);
  });
});

describe.runIf(canUseRealServices)('metrics on Postgres + Redis', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend: 'postgres' });
  }, 60_000);
  afterAll(() => server?.stop());

  it('without a token outside production, /metrics is open; it shows the Redis connection and the pg pool', async () => {
    await clientCredentialsToken(server, []);
    const samples = await scrape(`${server.url}/metrics`);
    expect(sampleValue(samples, 'latchkey_redis_up')).toBe(1);
    expect(sampleValue(samples, 'latchkey_db_pool_max')).toBe(10);
    expect(sampleValue(samples, 'latchkey_db_pool_connections', { state: 'free' })! + sampleValue(samples, 'latchkey_db_pool_connections', { state: 'used' })!).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'latchkey_tokens_issued_total', { grant_type: 'client_credentials', token: 'access_token' })).toBe(1);
  });
});
