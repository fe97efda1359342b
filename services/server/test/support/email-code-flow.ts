import { createHash, randomBytes } from 'node:crypto';
import { CookieJar } from './browser.ts';
import type { TestServer } from './server.ts';

/** One browser's sign-in flow: its cookies, the interaction uid and the CSRF token of its forms. */
export type Flow = { jar: CookieJar; uid: string; csrf: string; server: TestServer };

/** Starts an authorization request (code + PKCE) and stops at the hosted sign-in interaction. */
export async function startFlow(server: TestServer): Promise<Flow> {
  const { client_id, redirect_uri } = await server.createClient();
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${server.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id, redirect_uri, response_type: 'code', scope: 'openid email', state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  }).toString();
  const jar = new CookieJar();
  let current = url;
  for (let hops = 0; !current.pathname.startsWith('/interaction/'); hops += 1) {
    if (hops > 10) throw new Error('no interaction reached');
    const response = await fetch(current, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(response);
    await response.arrayBuffer();
    const location = response.headers.get('location');
    if (!location) throw new Error(`expected a redirect from ${current.pathname}, got ${response.status}`);
    current = new URL(location, current);
  }
  const uid = current.pathname.split('/')[2]!;
  const page = await get({ jar, uid, csrf: '', server }, `/interaction/${uid}/email-code`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('no CSRF token on the email-code page');
  return { jar, uid, csrf, server };
}

export async function get(flow: Flow, path: string): Promise<Response> {
  const response = await fetch(new URL(path, flow.server.url), { redirect: 'manual', headers: { cookie: flow.jar.header() } });
  flow.jar.store(response);
  return response;
}

/** Submits one of our forms (the flow's CSRF token added). */
export async function post(flow: Flow, path: string, fields: Record<string, string>): Promise<Response> {
  const response = await fetch(new URL(path, flow.server.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: flow.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: flow.csrf, ...fields }).toString(),
  });
  flow.jar.store(response);
  return response;
}

/** Asks for a sign-in code for `email` in a (new) flow; returns the flow and the page shown. */
export async function requestCode(server: TestServer, email: string, existing?: Flow): Promise<{ flow: Flow; response: Response; page: string }> {
  const flow = existing ?? (await startFlow(server));
  const response = await post(flow, `/interaction/${flow.uid}/email-code`, { email });
  return { flow, response, page: await response.text() };
}

/** The 6-digit code of the newest dev-mailbox message to `email` (dev mode servers only). */
export async function codeFromDevMailbox(server: TestServer, email: string): Promise<string> {
  const page = await (await fetch(`${server.url}/dev/mailbox`)).text();
  const escaped = email.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
  const start = page.indexOf(`<dd>${escaped}</dd>`);
  if (start === -1) throw new Error(`no mail to ${email} in the dev mailbox`);
  const code = /\b(\d{6})\b/.exec(page.slice(start))?.[1];
  if (!code) throw new Error('no code in the mail');
  return code;
}
