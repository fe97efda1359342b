import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithCode } from './support/code-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

const PARALLEL = 8;
const ROUNDS = 6;

/**
 * Eight parallel redemptions of one refresh token on real Postgres. The
 * losers each revoke the grant; before the lock-order fix their statements
 * deadlocked and some answered 500. Now: no 5xx, at most one winner, every
 * loser `invalid_grant`, and the grant ends revoked (the strict reuse rule).
 */
describe.skipIf(!canUseRealServices)('refresh token: parallel reuse on real Postgres', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ backend: 'postgres' });
  });
  afterAll(() => server?.stop());

  it(`${PARALLEL} parallel redemptions of one refresh token, ${ROUNDS} times: no 500, one winner at most, the grant revoked`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const { config, tokens, client_id } = await signInWithCode(server);
      const { client_secret } = config.clientMetadata();
      const responses = await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          const response = await fetch(`${server.issuer}/token`, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
            },
            body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }).toString(),
          });
          return { status: response.status, body: (await response.json()) as { error?: string; access_token?: string } };
        }),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s >= 500), `round ${round}: ${statuses.join(' ')}`).toEqual([]);
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
      for (const r of responses) if (r.status !== 200) expect(r).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      // Reuse was detected, so whatever the winner got is dead too.
      const winner = responses.find((r) => r.status === 200);
      if (winner) expect((await client.tokenIntrospection(config, winner.body.access_token!)).active).toBe(false);
      await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    }
  });
});
