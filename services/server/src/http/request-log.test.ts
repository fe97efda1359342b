import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from './logger.ts';
import { requestLog } from './request-log.ts';

function capture(level = 'info') {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  return { logger: createLogger({ level, destination }), lines };
}

/** Serves one request through requestLog with `logger` and waits for its line (or the absence of one). */
async function serve(logger: Logger, path: string, status = 204) {
  const app = express();
  app.use(requestLog(logger));
  app.use((_req, res) => res.status(status).end());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 20));
    return response.headers.get('x-request-id');
  } finally {
    server.close();
  }
}

describe('request log line', () => {
  it('is the line pino itself writes for the same fields, with the query secret redacted and odd characters escaped', async () => {
    const { logger, lines } = capture();
    const id = await serve(logger, '/cb?code=secret-code&state=%22q%5C&x="\\', 302);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ reqId: id, method: 'GET', status: 302, ip: '127.0.0.1', msg: 'request', service: 'latchkey', level: 30 });
    expect(lines[0]).not.toContain('secret-code');
    // pino's own serialization of the same fields: same keys, same order, same values.
    const reference = capture();
    reference.logger.info({ reqId: line.reqId, method: line.method, url: line.url, status: line.status, ms: line.ms, ip: line.ip }, 'request');
    const expected = JSON.parse(reference.lines[0]!) as Record<string, unknown>;
    expect(Object.keys(line)).toEqual(Object.keys(expected));
    expect({ ...line, time: 0 }).toEqual({ ...expected, time: 0 });
    expect(Math.abs((line.time as number) - Date.now())).toBeLessThan(5_000);
  });

  it('carries a child logger\'s bindings and writes nothing below its level', async () => {
    const { logger, lines } = capture();
    await serve(logger.child({ replica: 'a"1' }), '/x');
    expect(JSON.parse(lines[0]!)).toMatchObject({ service: 'latchkey', replica: 'a"1', url: '/x' });
    const quiet = capture('warn');
    await serve(quiet.logger, '/x');
    expect(quiet.lines).toEqual([]);
  });
});
