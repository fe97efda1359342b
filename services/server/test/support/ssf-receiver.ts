import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import * as client from 'openid-client';
import type { TestServer } from './server.ts';

/**
 * A Shared Signals receiver written from the specs (RFC 8417, RFC 8935,
 * RFC 8936, SSF 1.0, CAEP 1.0, RISC), not from our SDK: jose checks each
 * SET's signature against the issuer's published JWKS, `iss`, `aud` and
 * `typ`; this file checks jti uniqueness and each event's schema.
 */

const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';

export type ReceivedSet = { jwt: string; claims: JWTPayload & { sub_id: Record<string, unknown>; events: Record<string, Record<string, unknown>> }; type: string; event: Record<string, unknown> };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function checkIssSub(subject: unknown, issuer: string): void {
  if (!isObject(subject) || subject.format !== 'iss_sub' || subject.iss !== issuer || typeof subject.sub !== 'string') throw new Error(`not an iss_sub subject of this issuer: ${JSON.stringify(subject)}`);
}

/** The schema of each event type, as its spec states it. */
function checkEvent(type: string, event: Record<string, unknown>, subject: Record<string, unknown>, issuer: string): void {
  if (type.startsWith(CAEP) && typeof event.event_timestamp !== 'number') throw new Error(`${type} without event_timestamp`);
  switch (type) {
    case `${CAEP}session-revoked`:
      if (subject.format === 'complex') {
        checkIssSub(subject.user, issuer);
        const session = subject.session as Record<string, unknown>;
        if (!isObject(session) || session.format !== 'opaque' || typeof session.id !== 'string' || session.id.length !== 22) throw new Error('session subject is not opaque');
      } else if (subject.format !== 'opaque' || typeof subject.id !== 'string') throw new Error('session-revoked subject is neither a session nor a grant');
      return;
    case `${CAEP}credential-change`:
      if (typeof event.credential_type !== 'string' || !['create', 'revoke', 'update', 'delete'].includes(String(event.change_type))) throw new Error('credential-change lacks credential_type or change_type');
      break;
    case `${CAEP}token-claims-change`:
      if (!isObject(event.claims)) throw new Error('token-claims-change without claims');
      break;
    case `${RISC}account-disabled`:
    case `${RISC}account-enabled`:
    case `${RISC}account-purged`:
      break;
    case `${SSF}verification`:
    case `${SSF}stream-updated`:
      if (subject.format !== 'opaque' || typeof subject.id !== 'string') throw new Error('stream events name the stream as an opaque subject');
      if (type.endsWith('stream-updated') && !['enabled', 'paused', 'disabled'].includes(String(event.status))) throw new Error('stream-updated without status');
      return;
    default:
      throw new Error(`unknown event type ${type}`);
  }
  if (subject.format === 'email') {
    if (typeof subject.email !== 'string') throw new Error('email subject without email');
  } else checkIssSub(subject, issuer);
}

export type SetValidator = { validate: (jwt: string) => Promise<ReceivedSet>; seen: Set<string> };

export function setValidator(issuer: string, audience: string): SetValidator {
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const seen = new Set<string>();
  return {
    seen,
    async validate(jwt) {
      if (decodeProtectedHeader(jwt).typ !== 'secevent+jwt') throw new Error('typ is not secevent+jwt');
      const { payload } = await jwtVerify(jwt, jwks, { issuer, audience, typ: 'secevent+jwt' });
      if (typeof payload.jti !== 'string' || !payload.jti) throw new Error('no jti');
      if (seen.has(payload.jti)) throw new Error(`jti ${payload.jti} delivered twice`);
      seen.add(payload.jti);
      if (typeof payload.iat !== 'number') throw new Error('no iat');
      // RFC 8417 §2.2: a SET is not an access or ID token: no sub claim carrying its subject, no exp needed.
      if ('exp' in payload) throw new Error('a SET has no exp here');
      const events = payload.events as Record<string, Record<string, unknown>>;
      if (!isObject(events) || Object.keys(events).length !== 1) throw new Error('events must hold exactly one event');
      const [type, event] = Object.entries(events)[0]!;
      if (!isObject(event)) throw new Error('event is not an object');
      if (!isObject(payload.sub_id)) throw new Error('no sub_id');
      checkEvent(type, event, payload.sub_id, issuer);
      return { jwt, claims: payload as ReceivedSet['claims'], type, event };
    },
  };
}

/** RFC 8935: a push endpoint that answers 202 to valid SETs and 400 to invalid ones, and can go down. */
export type PushReceiver = {
  url: string;
  received: ReceivedSet[];
  errors: string[];
  authorizations: Array<string | undefined>;
  down: () => Promise<void>;
  up: () => Promise<void>;
  waitFor: (predicate: (sets: ReceivedSet[]) => boolean, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
};

export async function startPushReceiver(validator: SetValidator): Promise<PushReceiver> {
  const received: ReceivedSet[] = [];
  const errors: string[] = [];
  const authorizations: Array<string | undefined> = [];
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          authorizations.push(req.headers.authorization);
          if (req.headers['content-type'] !== 'application/secevent+jwt') {
            errors.push(`content-type ${req.headers['content-type']}`);
            res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ err: 'invalid_request', description: 'content type' }));
            return;
          }
          validator.validate(Buffer.concat(chunks).toString('utf8')).then(
            (set) => {
              received.push(set);
              res.writeHead(202).end();
            },
            (error: Error) => {
              errors.push(error.message);
              res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ err: 'invalid_request', description: error.message }));
            },
          );
        });
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: `http://127.0.0.1:${port}/events`,
    received,
    errors,
    authorizations,
    down: close,
    up: listen,
    async waitFor(predicate, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > until) throw new Error(`timed out; received ${received.map((s) => s.type).join(', ')}; errors ${errors.join('; ')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close,
  };
}

/** A receiver's credentials: a confidential client allowed `ssf`, and a token for it. */
export async function ssfReceiverToken(server: TestServer, scope = 'ssf'): Promise<{ token: string; clientId: string }> {
  const { client_id, client_secret } = await server.createClient({ scope, grant_types: ['client_credentials'] });
  const config = await client.discovery(new URL(server.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
  const tokens = await client.clientCredentialsGrant(config, { resource: `${server.issuer}/api`, scope });
  return { token: tokens.access_token, clientId: client_id };
}

/** A JSON call to the transmitter as `token`. */
export async function ssfCall(server: Pick<TestServer, 'url'>, token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
