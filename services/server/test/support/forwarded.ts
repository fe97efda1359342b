import type { Flow } from './email-code-flow.ts';

/**
 * Requests "from" many client addresses: the test server trusts its loopback
 * proxy (LATCHKEY_TRUST_PROXY=loopback) and the test is that proxy, naming
 * the client in X-Forwarded-For.
 */
export const TRUST_LOOPBACK = { LATCHKEY_TRUST_PROXY: 'loopback' } as const;

let n = 0;
/** A client address no other call in this process has used (TEST-NET-3 then 10/8). */
export function nextIp(): string {
  n += 1;
  return n < 250 ? `203.0.113.${n}` : `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** Submits one of our forms (the flow's CSRF token added) as the client at `ip`. */
export async function postFrom(flow: Flow, ip: string, path: string, fields: Record<string, string>): Promise<Response> {
  const response = await fetch(new URL(path, flow.server.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: flow.jar.header(), 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
    body: new URLSearchParams({ csrf: flow.csrf, ...fields }).toString(),
  });
  flow.jar.store(response);
  return response;
}
