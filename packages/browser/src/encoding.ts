/** base64url without padding, as JOSE and PKCE use it. */
export function b64u(bytes: ArrayBuffer | Uint8Array): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromB64u(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
}

export const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

export const jsonB64u = (value: unknown): string => b64u(utf8(JSON.stringify(value)));

/** `bytes` random bytes, base64url: 32 bytes give a 43-character PKCE verifier, state or nonce. */
export const random = (bytes = 32): string => b64u(crypto.getRandomValues(new Uint8Array(bytes)));

export const sha256 = async (text: string): Promise<string> => b64u(await crypto.subtle.digest('SHA-256', utf8(text)));

/** The PKCE S256 code challenge of a verifier (RFC 7636 §4.2). */
export const pkceChallenge = sha256;
