import http from 'node:http';
import { expect } from 'vitest';

export type RawResponse = { status: number; headers: http.IncomingHttpHeaders; body: string };

/** A request exactly as written: headers (even a malformed Host) and path bytes untouched by fetch's URL parser. */
export function rawRequest(base: string, options: { path: string; method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers };
    const req = http.request(
      { host: url.hostname, port: url.port, path: options.path, method: options.method ?? 'GET', headers, setHost: !Object.keys(headers).some((h) => h.toLowerCase() === 'host') },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
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
