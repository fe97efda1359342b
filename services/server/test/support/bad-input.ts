import { expect } from 'vitest';
import { rawRequest as rawAt, type RawResponse } from './raw-http.ts';

export type { RawResponse };

/** A request exactly as written (even a malformed Host, path bytes untouched by fetch's URL parser) to the server at `base`. */
export function rawRequest(base: string, options: { path: string; method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  const url = new URL(base);
  const named = Object.keys(options.headers ?? {}).some((name) => name.toLowerCase() === 'host');
  return rawAt({ ...options, port: Number(url.port), headers: named ? options.headers : { host: url.host, ...options.headers } });
}

/** No stack trace, file path or internal error text in what a client sees. */
export function expectNoLeak(body: string, label = ''): void {
  expect(body, label).not.toMatch(/\bat .+\.(js|ts):\d+/);
  expect(body, label).not.toMatch(/node_modules|stack|TypeError|ReferenceError|SyntaxError|duplicate key|violates|deadlock|invalid byte sequence|syntax error at/i);
}

/** A 4xx, no leak. */
export function expectClientError(response: { status: number; body: string }, label: string): void {
  expect(response.status, `${label}: ${response.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, `${label}: ${response.body.slice(0, 200)}`).toBeLessThan(500);
  expectNoLeak(response.body, label);
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
export const form = (headers: Record<string, string> = {}) => ({ ...FORM, ...headers });
