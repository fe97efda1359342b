import { request as httpRequest } from 'node:http';
import type { Request } from 'express';
import { HttpError } from '../http/errors.ts';

export type TokenResponse = { access_token: string; id_token: string; token_type: string; expires_in?: number };

/**
 * Redeems the console's authorization code at this server's own token
 * endpoint, over a loopback connection to the very address and port the
 * browser's callback request arrived on, with the issuer's Host. The issuer's
 * public name may not resolve from inside the container (split DNS, a proxy
 * terminating TLS), while the socket we are answering on always reaches us;
 * the host check accepts the issuer's name on any port. It is an ordinary
 * token request: client authentication, PKCE, single use and the per-IP
 * token budget apply as for any client.
 */
export async function redeemCode(
  req: Request,
  issuer: string,
  form: { code: string; code_verifier: string; redirect_uri: string; client_id: string; client_secret: string },
): Promise<TokenResponse> {
  const { host, pathname } = new URL(issuer);
  const address = req.socket.localAddress;
  const port = req.socket.localPort;
  if (!address || !port) throw new HttpError(500, 'server_error', 'the callback arrived on no local address', { expose: false });
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: form.code, code_verifier: form.code_verifier, redirect_uri: form.redirect_uri }).toString();
  const basic = Buffer.from(`${encodeURIComponent(form.client_id)}:${encodeURIComponent(form.client_secret)}`).toString('base64');
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: address.replace(/^::ffff:/, ''),
        port,
        method: 'POST',
        path: `${pathname.replace(/\/$/, '')}/token`,
        headers: {
          host,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          authorization: `Basic ${basic}`,
          accept: 'application/json',
        },
        timeout: 10_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('token request timed out')));
    outgoing.on('error', reject);
    outgoing.end(body);
  }).catch((error: unknown) => {
    throw new HttpError(502, 'server_error', 'could not reach the token endpoint', { expose: false, cause: error });
  });
  let parsed: Partial<TokenResponse> & { error?: string } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // handled below
  }
  if (status !== 200 || typeof parsed.access_token !== 'string' || typeof parsed.id_token !== 'string') {
    // An expired or already used code is the person's problem (start again), not a server fault.
    const reason = parsed.error ?? `status ${status}`;
    throw new HttpError(status >= 500 ? 502 : 400, 'sign_in_failed', `the sign-in could not be completed (${reason}); start again`);
  }
  return parsed as TokenResponse;
}
