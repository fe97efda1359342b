import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.ts';

// A host as HTTP carries it: a name, an IPv4 address or a bracketed IPv6
// address, then an optional port. Nothing else (no userinfo, path or spaces).
const HOST = /^(?:[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?\.?|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i;
const ABSOLUTE_TARGET = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The lower-cased host name of a well-formed Host value (port and a trailing dot dropped), or undefined. */
export function hostNameOf(value: string): string | undefined {
  const match = HOST.exec(value.trim());
  if (!match || (match[1] !== undefined && Number(match[1]) > 65535)) return undefined;
  try {
    return new URL(`http://${value.trim()}`).hostname.replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

/** Express's compiled LATCHKEY_TRUST_PROXY ('trust proxy fn'). */
type TrustProxy = (address: string, hop: number) => boolean;

/** Every host the request names: Host, or the authority of an absolute-form target, and X-Forwarded-Host from a trusted proxy. */
function namedHosts(req: IncomingMessage, trusted: TrustProxy): string[] {
  const hosts: string[] = [];
  // RFC 9112 §3.2.2: an absolute-form target's authority replaces Host.
  const target = req.url ?? '';
  if (ABSOLUTE_TARGET.test(target)) {
    try {
      hosts.push(new URL(target).host);
    } catch {
      hosts.push(target);
    }
  } else {
    hosts.push(req.headers.host ?? '');
  }
  const forwarded = req.headers['x-forwarded-host'];
  if (forwarded && trusted(req.socket.remoteAddress ?? '', 0)) {
    hosts.push(...[forwarded].flat().join(',').split(','));
  }
  return hosts;
}

/**
 * Answers only requests addressed to the issuer's host name. Every URL the
 * server emits is built from LATCHKEY_ISSUER anyway; this refuses requests
 * meant for another name (DNS rebinding, a misrouted virtual host) before
 * they reach a page: 421, or 400 for a Host that is not a host.
 *
 * Only the name is compared, not the port: cookies are shared across the
 * ports of a name, so a port check would protect nothing, while port
 * mappings and replicas reached directly would break. Routes mounted before
 * this one (health checks, probed by pod IP) answer under any Host.
 */
export function hostCheck(issuer: string): RequestHandler {
  const problem = hostProblem(issuer);
  return (req, _res, next) => next(problem(req, req.app.get('trust proxy fn') as TrustProxy));
}

/** The check above for any request (the provider lane's too): the error to answer, or undefined. */
export function hostProblem(issuer: string): (req: IncomingMessage, trusted: TrustProxy) => HttpError | undefined {
  const expected = new URL(issuer).hostname.replace(/\.$/, '');
  // Nearly every request names the same Host: the last value seen and its name are kept (one
  // entry, so whatever clients send cannot grow it), sparing a URL parse per request.
  let lastValue: string | undefined;
  let lastName: string | undefined;
  const nameOf = (value: string) => {
    if (value !== lastValue) {
      lastName = hostNameOf(value);
      lastValue = value;
    }
    return lastName;
  };
  return (req, trusted) => {
    for (const value of namedHosts(req, trusted)) {
      const name = nameOf(value);
      if (name === undefined) return new HttpError(400, 'invalid_request', 'malformed Host header');
      if (name !== expected) return new HttpError(421, 'misdirected_request', `this server answers only for ${expected}`);
    }
    return undefined;
  };
}
