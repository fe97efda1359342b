import { PageClient, inputValue, isInteraction } from './hosted-flow.ts';
import type { AuthorizationRequest, RelyingParty, RpClient } from './rp.ts';
import type { TestServer } from './server.ts';

/** A browser at a relying party's sign-in page: its interaction uid and the page's CSRF token. */
export type SocialStart = { browser: PageClient; uid: string; csrf: string; page: string; request: AuthorizationRequest; rp: RpClient };

/** Opens the RP's authorization request in a fresh browser and stops on Latchkey's sign-in page. */
export async function openSignInPage(server: TestServer, rp: RpClient, browser = new PageClient(server.issuer)): Promise<SocialStart> {
  const request = await rp.authorizationRequest();
  const atLogin = await browser.follow(request.url, isInteraction);
  const response = await browser.get(atLogin.url);
  const page = await response.text();
  if (response.status !== 200) throw new Error(`sign-in page answered ${response.status}: ${page.slice(0, 300)}`);
  return { browser, uid: atLogin.url.pathname.split('/')[2]!, csrf: inputValue(page, 'csrf'), page, request, rp };
}

/** Presses "Continue with …": the 303 to the upstream. */
export function pressUpstream(start: SocialStart, upstream: string): Promise<Response> {
  return start.browser.post(`/interaction/${start.uid}/social/${upstream}`, { csrf: start.csrf });
}

/**
 * The whole round trip: press the button, let the upstream answer, and follow
 * the redirects until the RP's callback (returned unfetched) or a page.
 */
export async function socialRoundTrip(start: SocialStart, upstream: string, rpParty: RelyingParty): Promise<{ url: URL; response?: Response }> {
  const pressed = await pressUpstream(start, upstream);
  if (pressed.status !== 303) throw new Error(`start answered ${pressed.status}: ${(await pressed.text()).slice(0, 300)}`);
  return start.browser.followFrom(pressed, (url) => url.href.startsWith(rpParty.callbackUrl));
}

/** Signs in at the RP with the upstream end to end and returns the RP's tokens. */
export async function socialSignIn(server: TestServer, rpParty: RelyingParty, rp: RpClient, upstream: string) {
  const start = await openSignInPage(server, rp);
  const landed = await socialRoundTrip(start, upstream, rpParty);
  if (landed.response) throw new Error(`expected the RP callback, got ${landed.url.pathname} ${landed.response.status}: ${(await landed.response.text()).slice(0, 400)}`);
  const tokens = await rp.finish(landed.url, start.request);
  return { start, tokens, claims: tokens.claims()! };
}

/** Presses the button and lets the upstream answer, stopping at Latchkey's callback URL (returned unfetched: the upstream's code and state). */
export async function upstreamAnswer(start: SocialStart, upstream: string): Promise<URL> {
  const pressed = await pressUpstream(start, upstream);
  if (pressed.status !== 303) throw new Error(`start answered ${pressed.status}: ${(await pressed.text()).slice(0, 300)}`);
  const stopped = await start.browser.followFrom(pressed, (url) => url.pathname === `/social/${upstream}/callback`);
  if (stopped.response) throw new Error(`the upstream did not come back: ${stopped.url.href} ${stopped.response.status}`);
  return stopped.url;
}

/** A hosted error page, as the tests expect every refusal to be: 4xx, HTML, the strict CSP, no stack. */
export async function errorPage(response: Response | undefined): Promise<{ status: number; text: string }> {
  if (!response) throw new Error('expected a page, got a redirect');
  const text = await response.text();
  if (!/text\/html/.test(response.headers.get('content-type') ?? '')) throw new Error(`not a page: ${response.status} ${text.slice(0, 200)}`);
  if (!/default-src 'none'/.test(response.headers.get('content-security-policy') ?? '')) throw new Error('page without the strict CSP');
  if (/\bat .+:\d+:\d+/.test(text)) throw new Error('stack trace on the page');
  return { status: response.status, text };
}
