import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './support/raw-http.ts';
import { freePort, startTestServer, type TestServer } from './support/server.ts';

/**
 * The dev mailbox hands out every code, so it answers only this machine, and
 * "this machine" is the socket's peer: an X-Forwarded-For: 127.0.0.1 from
 * elsewhere does not count, even with LATCHKEY_TRUST_PROXY set.
 */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;

describe.skipIf(!lanAddress)('dev mailbox and forwarded addresses', () => {
  let server: TestServer;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    // Trust one proxy hop, whoever it is: X-Forwarded-For alone decides req.ip.
    server = await startTestServer({ port, host: '0.0.0.0', env: { LATCHKEY_TRUST_PROXY: '1' } });
  });
  afterAll(() => server?.stop());

  const mailbox = (address: string, headers: Record<string, string> = {}) =>
    rawRequest({ port, address, path: '/dev/mailbox', headers: { host: `localhost:${port}`, ...headers } });

  it('is refused to another machine claiming to be 127.0.0.1', async () => {
    expect((await mailbox(lanAddress!, { 'x-forwarded-for': '127.0.0.1' })).status).toBe(404);
    expect((await mailbox(lanAddress!, { forwarded: 'for=127.0.0.1' })).status).toBe(404);
    expect((await mailbox(lanAddress!)).status).toBe(404);
  });

  it('is refused to a request a local proxy relays for someone else', async () => {
    expect((await mailbox('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' })).status).toBe(404);
    expect((await mailbox('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).status).toBe(404);
  });

  it('is shown to this machine', async () => {
    const response = await mailbox('127.0.0.1');
    expect(response.status).toBe(200);
    expect(response.body).toContain('No mail yet.');
  });
});
