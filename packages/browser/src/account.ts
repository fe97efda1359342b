/**
 * `@latchkey/browser/account`: a typed client for the account API
 * (`/api/v1/me/…`), the signed-in user's own profile, email, password,
 * sessions, apps and personal API tokens. Types come from Latchkey's OpenAPI
 * document (src/generated/api.ts, `pnpm generate`); the runtime is the small
 * wrapper below, so the core entry never carries any of it.
 */
import { LatchkeyError } from './errors.ts';
import type { paths } from './generated/api.ts';

export type AccountPaths = { [P in keyof paths as P extends `/api/v1/me${string}` ? P : never]: paths[P] };
type Method = 'get' | 'post' | 'patch' | 'delete';
/** The account routes that take this method. */
export type AccountPath<M extends Method> = { [P in keyof AccountPaths]: AccountPaths[P][M] extends { responses: object } ? P : never }[keyof AccountPaths];
type Operation<P extends keyof AccountPaths, M extends Method> = AccountPaths[P][M];

type Ok<R> = R[Extract<keyof R, 200 | 201 | 202 | 204>];
/** The JSON a route answers on success (undefined for a 204). */
export type AccountData<O> = O extends { responses: infer R } ? (Ok<R> extends { content: { 'application/json': infer J } } ? J : undefined) : never;

// A route's path parameters and body are required exactly when the document requires them.
type PathOption<O> = O extends { parameters: { path: infer X extends object } } ? { path: X } : { path?: undefined };
type BodyOption<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? { body: B } : { body?: undefined };
type QueryOption<O> = O extends { parameters: { query?: infer Q } } ? { query?: Q } : { query?: undefined };
export type AccountRequest<O> = PathOption<O> & BodyOption<O> & QueryOption<O> & { headers?: Record<string, string> };

/** A problem+json answer from the API (RFC 9457): `code` is its stable code, `status` the HTTP status. */
export class AccountApiError extends LatchkeyError {
  status: number;
  problem: Record<string, unknown>;
  constructor(status: number, problem: Record<string, unknown>) {
    super(String(problem.code ?? 'http_error'), String(problem.detail ?? problem.title ?? `answered ${status}`));
    this.name = 'AccountApiError';
    this.status = status;
    this.problem = problem;
  }
}

export type AccountClientOptions = {
  /** The Latchkey issuer, e.g. `https://auth.example.com`. */
  issuer: string;
  /** `latchkey.fetchWithAuth`: adds the access token (for `<issuer>/api` with the `account` scope) and its DPoP proof. */
  fetch: (url: string, init: RequestInit) => Promise<Response>;
};

type Call<M extends Method> = <P extends AccountPath<M>>(
  path: P,
  ...request: {} extends AccountRequest<Operation<P, M>> ? [AccountRequest<Operation<P, M>>?] : [AccountRequest<Operation<P, M>>]
) => Promise<{ data: AccountData<Operation<P, M>>; response: Response }>;

export type AccountClient = { get: Call<'get'>; post: Call<'post'>; patch: Call<'patch'>; delete: Call<'delete'> };

export function createAccountClient({ issuer, fetch }: AccountClientOptions): AccountClient {
  const base = issuer.replace(/\/$/, '');
  const call = (method: string) => async (path: string, request: { path?: object; query?: object; body?: unknown; headers?: Record<string, string> } = {}) => {
    const url = new URL(base + path.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(String((request.path as Record<string, unknown>)?.[name]))));
    for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url.href, { method: method.toUpperCase(), headers, body: request.body === undefined ? undefined : JSON.stringify(request.body) });
    const text = await response.text();
    const data = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new AccountApiError(response.status, data ?? {});
    return { data, response };
  };
  return { get: call('get'), post: call('post'), patch: call('patch'), delete: call('delete') } as unknown as AccountClient;
}
