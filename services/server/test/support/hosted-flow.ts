import { CookieJar } from './browser.ts';
import type { TestServer } from './server.ts';

/**
 * A cookie-keeping HTTP user agent for page-level tests of the hosted pages:
 * one request at a time, redirects not followed unless asked, so a test can
 * look at each hop.
 */
export class PageClient {
  readonly jar = new CookieJar();
  readonly base: string;
  /** Sent with every request (e.g. a spoofed X-Forwarded-For). */
  headers: Record<string, string> = {};

  constructor(base: string) {
    this.base = base;
  }

  async get(url: string | URL): Promise<Response> {
    const response = await fetch(new URL(url, this.base), { redirect: 'manual', headers: { ...this.headers, cookie: this.jar.header() } });
    this.jar.store(response);
    return response;
  }

  async post(url: string | URL, form: Record<string, string>): Promise<Response> {
    const response = await fetch(new URL(url, this.base), {
      method: 'POST',
      redirect: 'manual',
      headers: { ...this.headers, cookie: this.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    this.jar.store(response);
    return response;
  }

  /** Follows GET redirects from `url` until `stop` matches a location (returned unfetched) or a page answers. */
  async follow(url: string | URL, stop: (url: URL) => boolean = () => false): Promise<{ url: URL; response?: Response }> {
    let current = new URL(url, this.base);
    for (let hops = 0; hops < 15; hops += 1) {
      if (stop(current)) return { url: current };
      const response = await this.get(current);
      const location = response.headers.get('location');
      if (!location || response.status < 300 || response.status >= 400) return { url: current, response };
      await response.arrayBuffer();
      current = new URL(location, current);
    }
    throw new Error('too many redirects');
  }

  /** Follows the redirect a response carries (after a POST), as above. */
  async followFrom(response: Response, stop?: (url: URL) => boolean): Promise<{ url: URL; response?: Response }> {
    const location = response.headers.get('location');
    if (!location) throw new Error(`expected a redirect, got ${response.status}: ${(await response.text()).slice(0, 300)}`);
    await response.arrayBuffer();
    return this.follow(new URL(location, response.url || this.base), stop);
  }
}

/** The value of a named (hidden) input on a page. */
export function inputValue(page: string, name: string): string {
  const match = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(page);
  if (!match) throw new Error(`no ${name} field on the page: ${page.slice(0, 500)}`);
  return match[1]!;
}

export const isInteraction = (url: URL): boolean => url.pathname.startsWith('/interaction/');

/**
 * Finishes only the login prompt of a pending interaction, in process: the
 * stand-in for the sign-in pages (tested elsewhere), so the consent prompt
 * that follows is left to the pages under test. Returns where the browser
 * goes next (oidc-provider's resume URL).
 */
export async function signInOnly(server: TestServer, interactionUrl: URL, accountId: string): Promise<URL> {
  const uid = interactionUrl.pathname.split('/').pop()!;
  const interaction = await server.providers.current.Interaction.find(uid);
  if (!interaction) throw new Error(`no interaction ${uid}`);
  if (interaction.prompt.name !== 'login') throw new Error(`expected the login prompt, got ${interaction.prompt.name}`);
  interaction.result = { login: { accountId } };
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
  return new URL(interaction.returnTo);
}
