import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectClientError, rawRequest } from './support/bad-input.ts';
import { startTestServer, type TestServer } from './support/server.ts';

/** oidc-provider builds URLs from Host; a malformed one made it throw (500). It is a 4xx now, on every kind of route. */
describe('bad input: malformed Host header', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('answers 4xx for hosts that are not hosts', async () => {
    for (const host of ['a b', '[::1', 'x:y:z', '%%%', 'exa mple:99999', 'evil.example/path', 'user@host', '\u00e9xample.com']) {
      for (const path of ['/.well-known/openid-configuration', '/jwks', '/auth?client_id=x', '/device', '/interaction/abc', '/session/end']) {
        expectClientError(await rawRequest(server.issuer, { path, headers: { Host: host } }), `${host} ${path}`);
      }
    }
  });
});
