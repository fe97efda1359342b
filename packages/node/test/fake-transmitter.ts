import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * A stand-in Latchkey for the SDK's receiver tests, speaking the real wire
 * formats: OpenID discovery, a JWKS, client credentials at /token, SSF 1.0
 * configuration and stream creation, RFC 8936 long polling (events stay
 * until acknowledged), and SETs signed ES256 with `typ: secevent+jwt`. It also
 * signs RFC 9068 access tokens with the same key, so a verifier can be
 * pointed at it. (The server's own transmitter replaces it where it exists.)
 */
export type FakeTransmitter = {
  issuer: string;
  audience: string;
  /** Queues a SET for every poll stream and returns its jti. */
  emit(event: string, body: Record<string, unknown>, subject: Record<string, unknown>, overrides?: { claims?: Record<string, unknown>; header?: Record<string, unknown>; key?: CryptoKey }): Promise<string>;
  /** Signs a SET without queueing it (for push tests). */
  sign(event: string, body: Record<string, unknown>, subject: Record<string, unknown>, overrides?: { claims?: Record<string, unknown>; header?: Record<string, unknown>; key?: CryptoKey }): Promise<{ jti: string; set: string }>;
  accessToken(claims: Record<string, unknown>): Promise<string>;
  /** What the receiver sent: acknowledged jtis and setErrs, in order. */
  acked: string[];
  errors: Record<string, { err: string; description: string }>;
  streams: Array<Record<string, unknown>>;
  /** Poll requests answered with 503 from now on (true) or served again (false). */
  failPolls(fail: boolean): void;
  pollCount(): number;
  close(): Promise<void>;
};

const read = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

export async function startFakeTransmitter(): Promise<FakeTransmitter> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'fake-1', alg: 'ES256', use: 'sig' };
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const audience = 'https://receiver.api.example.test';
  const queue = new Map<string, string>();
  const waiting = new Set<(fail?: boolean) => void>();
  const acked: string[] = [];
  const errors: Record<string, { err: string; description: string }> = {};
  const streams: Array<Record<string, unknown>> = [];
  let failing = false;
  let polls = 0;

  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  server.on('request', async (req, res) => {
    const url = new URL(req.url!, issuer);
    const body = await read(req);
    if (url.pathname === '/.well-known/openid-configuration') return json(res, 200, { issuer, jwks_uri: `${issuer}/jwks`, token_endpoint: `${issuer}/token` });
    if (url.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
    if (url.pathname === '/.well-known/ssf-configuration') {
      return json(res, 200, {
        spec_version: '1_0', issuer, jwks_uri: `${issuer}/jwks`, delivery_methods_supported: ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'],
        configuration_endpoint: `${issuer}/ssf/streams`, authorization_schemes: [{ spec_urn: 'urn:ietf:rfc:6749' }], default_subjects: 'ALL',
      });
    }
    if (url.pathname === '/token') {
      const form = new URLSearchParams(body);
      if (form.get('scope') !== 'ssf' || form.get('resource') !== `${issuer}/api`) return json(res, 400, { error: 'invalid_scope' });
      return json(res, 200, { access_token: 'receiver-token', token_type: 'Bearer', expires_in: 600 });
    }
    if (req.headers.authorization !== 'Bearer receiver-token') return json(res, 401, { error: 'invalid_token' });
    if (url.pathname === '/ssf/streams' && req.method === 'GET') return json(res, 200, streams);
    if (url.pathname === '/ssf/streams' && req.method === 'DELETE') {
      const at = streams.findIndex((s) => s.stream_id === url.searchParams.get('stream_id'));
      if (at >= 0) streams.splice(at, 1);
      return res.writeHead(204).end();
    }
    if (url.pathname === '/ssf/streams' && req.method === 'POST') {
      const asked = JSON.parse(body) as { delivery: Record<string, unknown>; events_requested: string[] };
      const id = randomUUID();
      const delivery = asked.delivery.method === 'urn:ietf:rfc:8936' ? { method: asked.delivery.method, endpoint_url: `${issuer}/ssf/poll/${id}` } : asked.delivery;
      const stream = { stream_id: id, iss: issuer, aud: audience, delivery, events_requested: asked.events_requested, events_delivered: asked.events_requested };
      streams.push(stream);
      return json(res, 201, stream);
    }
    if (url.pathname.startsWith('/ssf/poll/') && req.method === 'POST') {
      polls += 1;
      if (failing) return json(res, 503, { error: 'unavailable' });
      const asked = JSON.parse(body) as { maxEvents?: number; returnImmediately?: boolean; ack?: string[]; setErrs?: Record<string, { err: string; description: string }> };
      for (const jti of asked.ack ?? []) {
        acked.push(jti);
        queue.delete(jti);
      }
      for (const [jti, error] of Object.entries(asked.setErrs ?? {})) {
        errors[jti] = error;
        queue.delete(jti);
      }
      const answer = () => {
        const sets = Object.fromEntries([...queue].slice(0, asked.maxEvents ?? 100));
        json(res, 200, { sets, moreAvailable: queue.size > Object.keys(sets).length });
      };
      if (queue.size > 0 || asked.returnImmediately) return answer();
      // Long poll: answer as soon as a SET is queued, or empty after 25 s.
      const wake = (fail?: boolean) => {
        clearTimeout(timer);
        waiting.delete(wake);
        if (fail) json(res, 503, { error: 'unavailable' });
        else answer();
      };
      const timer = setTimeout(wake, 25_000);
      waiting.add(wake);
      req.on('close', () => {
        clearTimeout(timer);
        waiting.delete(wake);
      });
      return;
    }
    json(res, 404, { error: 'not_found' });
  });

  async function sign(event: string, body: Record<string, unknown>, subject: Record<string, unknown>, overrides: { claims?: Record<string, unknown>; header?: Record<string, unknown>; key?: CryptoKey } = {}) {
    const jti = randomUUID();
    const set = await new SignJWT({ jti, iss: issuer, aud: audience, iat: Math.floor(Date.now() / 1000), sub_id: subject, events: { [event]: body }, ...overrides.claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'fake-1', typ: 'secevent+jwt', ...overrides.header })
      .sign(overrides.key ?? privateKey);
    return { jti: (overrides.claims?.jti as string | undefined) ?? jti, set };
  }

  return {
    issuer,
    audience,
    sign,
    async emit(event, body, subject, overrides) {
      const { jti, set } = await sign(event, body, subject, overrides);
      queue.set(`${jti}${queue.has(jti) ? `#${randomUUID()}` : ''}`, set);
      for (const wake of [...waiting]) wake();
      return jti;
    },
    accessToken: (claims) =>
      new SignJWT({ client_id: 'app', scope: 'read', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: 'fake-1', typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt((claims.iat as number | undefined) ?? Math.floor(Date.now() / 1000))
        .setExpirationTime('1h')
        .sign(privateKey),
    acked,
    errors,
    streams,
    failPolls: (fail) => {
      failing = fail;
      // A long poll held now fails too, as when the transmitter goes down.
      if (fail) for (const wake of [...waiting]) wake(true);
    },
    pollCount: () => polls,
    close: async () => {
      for (const wake of [...waiting]) wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
