import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres, realRedisUrl } from './support/backends.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.ts';
import { spawnServer, type ServerProcess } from './support/process.ts';
import { canUseRealServices, freePort } from './support/server.ts';

/**
 * `latchkey start` with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a collector
 * on loopback: a token request arrives there as one trace, the server span
 * named for its route with the database (and Redis) spans under it.
 */
const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

const SERVER = 2;
const CLIENT = 3;

describe.each(backends)('OpenTelemetry traces over OTLP/HTTP (%s)', (backend) => {
  let receiver: OtlpReceiver;
  let server: ServerProcess;
  let dataDir: string;
  let closeDb: (() => Promise<void>) | undefined;
  const registrationToken = randomBytes(32).toString('base64url');

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-traces-'));
    const port = await freePort();
    let storage: Record<string, string> = { LATCHKEY_DATA_DIR: dataDir };
    if (backend === 'postgres') {
      const db = await freshPostgres();
      closeDb = () => db.close();
      storage = { DATABASE_URL: db.url, REDIS_URL: realRedisUrl! };
    }
    server = await spawnServer({
      ...storage,
      PORT: String(port),
      LATCHKEY_ISSUER: `http://localhost:${port}`,
      LATCHKEY_SECRETS: randomBytes(32).toString('base64url'),
      LATCHKEY_REGISTRATION_TOKEN: registrationToken,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await closeDb?.();
    await receiver?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('exports the token request as one trace: the server span named for its route, database and Redis spans under it, no secrets', async () => {
    const registered = await fetch(`${server.url}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${registrationToken}` },
      body: JSON.stringify({ client_name: 'traced', redirect_uris: ['https://rp.example.com/cb'], grant_types: ['client_credentials'], response_types: [] }),
    });
    expect(registered.status).toBe(201);
    const { client_id, client_secret } = (await registered.json()) as { client_id: string; client_secret: string };
    const token = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };

    const tokenSpan = (spans: ReceivedSpan[]) => spans.find((s) => s.kind === SERVER && s.name === 'POST token');
    const inTrace = (spans: ReceivedSpan[], root: ReceivedSpan) => spans.filter((s) => s.traceId === root.traceId && s !== root);
    const dbSpans = (spans: ReceivedSpan[], root: ReceivedSpan) =>
      inTrace(spans, root).filter((s) => s.kind === CLIENT && (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'postgresql');
    const redisSpans = (spans: ReceivedSpan[], root: ReceivedSpan) =>
      inTrace(spans, root).filter((s) => (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'redis');
    await receiver.waitFor((spans) => {
      const root = tokenSpan(spans);
      return root !== undefined && dbSpans(spans, root).length > 0 && (backend === 'pglite' || redisSpans(spans, root).length > 0);
    });

    const root = tokenSpan(receiver.spans)!;
    expect(root.resource['service.name']).toBe('latchkey');
    expect(root.parentSpanId).toBeUndefined();
    expect(root.attributes['http.route']).toBe('token');
    const queries = dbSpans(receiver.spans, root);
    // Children of the request, directly or through other spans of it.
    const ids = new Set([root.spanId, ...inTrace(receiver.spans, root).map((s) => s.spanId)]);
    for (const span of queries) expect(ids.has(span.parentSpanId!)).toBe(true);
    // Statements keep their placeholders: the client id looked up is not in them.
    const statements = queries.map((s) => String(s.attributes['db.query.text'] ?? s.attributes['db.statement'] ?? ''));
    expect(statements.some((sql) => /select/i.test(sql) && /clients/.test(sql))).toBe(true);
    expect(statements.join('\n')).not.toContain(client_id);
    const exported = receiver.bodies.join('\n');
    for (const secret of [client_secret, registrationToken, access_token]) expect(exported).not.toContain(secret);

    // The registration was traced too, under its own route name.
    expect(receiver.spans.some((s) => s.kind === SERVER && s.name === 'POST registration')).toBe(true);
  });

  it('leaves health checks, scrapes and background jobs (no request, no trace) out of the traces', async () => {
    await (await fetch(`${server.url}/healthz`)).arrayBuffer();
    await (await fetch(`${server.url}/.well-known/openid-configuration`)).arrayBuffer();
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'GET discovery'));
    expect(receiver.spans.filter((s) => s.kind === SERVER && String(s.attributes['http.route'] ?? s.name).includes('healthz'))).toEqual([]);
    expect(receiver.spans.some((s) => String(s.attributes['http.target'] ?? s.attributes['url.path'] ?? '').startsWith('/healthz'))).toBe(false);
    // Migrations, key watch, purge and the webhook worker query on their own: no orphan database spans.
    expect(receiver.spans.filter((s) => s.kind === CLIENT && !s.parentSpanId).map((s) => s.name)).toEqual([]);
  });
});
