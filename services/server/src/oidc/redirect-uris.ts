/**
 * Which redirect URIs a client may register. Matching is exact (oidc-provider
 * compares strings); this decides what may be registered in the first place:
 * https, or http on a loopback address, never a fragment; public native
 * clients may also use a private-use scheme (RFC 8252 §7.1, reverse-DNS style).
 */
export type RedirectUriProblem = { uri: string; reason: string };

export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+$/;

export function checkRedirectUri(uri: string, options: { isPublic: boolean }): RedirectUriProblem | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { uri, reason: 'is not an absolute URL' };
  }
  if (uri.includes('#')) return { uri, reason: 'must not contain a fragment (#)' };
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'https') return undefined;
  if (scheme === 'http') {
    return LOOPBACK_HOSTS.has(url.hostname) ? undefined : { uri, reason: 'must use https (http is allowed only for localhost, 127.0.0.1 or [::1])' };
  }
  if (['javascript', 'data', 'file', 'vbscript', 'blob', 'about'].includes(scheme)) {
    return { uri, reason: `must not use the ${scheme}: scheme` };
  }
  if (!options.isPublic) return { uri, reason: 'must use https: custom schemes are only for public native clients' };
  if (!PRIVATE_USE_SCHEME.test(scheme)) {
    return { uri, reason: 'custom schemes must be reverse-DNS names such as com.example.app:/callback' };
  }
  return undefined;
}

export function checkRedirectUris(uris: readonly string[], options: { isPublic: boolean }): RedirectUriProblem[] {
  return uris.map((uri) => checkRedirectUri(uri, options)).filter((p): p is RedirectUriProblem => p !== undefined);
}
