/**
 * Just enough of a user agent to walk an authorization request through
 * redirects with cookies, and finish the interaction via the test route.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(header) || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function follow(jar: CookieJar, url: URL, stopAt: (url: URL) => boolean, init?: RequestInit): Promise<URL> {
  let current = url;
  let request: RequestInit | undefined = init;
  for (let hops = 0; hops < 15; hops += 1) {
    if (stopAt(current)) return current;
    const response = await fetch(current, { ...request, redirect: 'manual', headers: { ...(request?.headers as Record<string, string>), cookie: jar.header() } });
    jar.store(response);
    const location = response.headers.get('location');
    if (!location) throw new Error(`expected a redirect from ${current.pathname}, got ${response.status}: ${(await response.text()).slice(0, 300)}`);
    await response.arrayBuffer();
    current = new URL(location, current);
    request = undefined;
  }
  throw new Error('too many redirects');
}

/** Opens the authorization URL, signs `accountId` in with consent, and returns the redirect back to the client (pass `jar` to stay in one browser session). */
export async function authorize(authorizationUrl: URL, accountId: string, redirectUri: string, jar = new CookieJar()): Promise<URL> {
  const isCallback = (url: URL) => url.href.startsWith(redirectUri);
  const interaction = await follow(jar, authorizationUrl, (url) => url.pathname.startsWith('/interaction/') || isCallback(url));
  if (isCallback(interaction)) return interaction;
  const uid = interaction.pathname.split('/').pop()!;
  const finish = new URL(`/__test/interaction/${uid}`, interaction);
  return follow(jar, finish, isCallback, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ account: accountId }).toString(),
  });
}
