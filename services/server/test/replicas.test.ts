import { decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realDatabaseUrl, realRedisUrl } from './support/backends.ts';
import { authorize } from './support/browser.ts';
import { runCli, spawnServer, type ServerProcess } from './support/process.ts';
import { startDeployment, type Deployment } from './support/deployment.ts';
import { freePort, type TestServer } from './support/server.ts';

/**
 * Two `latchkey start` processes on one real Postgres + Redis, as two
 * replicas behind a load balancer would run, plus an in-process server that
 * plays the sign-in pages.
 */
describe.skipIf(!realDatabaseUrl || !realRedisUrl)('replicas sharing Postgres and Redis', () => {
  let deployment: Deployment;
  let pages: TestServer;
  let a: ServerProcess;
  let b: ServerProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    deployment = await startDeployment({ LATCHKEY_KEY_REFRESH_SECONDS: '1' });
    ({ pages, a, b, env } = deployment);
  }, 90_000);

  afterAll(() => deployment?.stop());

  it('one authorization code redeemed at both replicas at once: exactly one success, every time', async () => {
    const { client_id, client_secret, redirect_uri } = await pages.createClient();
    const userId = await pages.createUser();
    const config = await client.discovery(new URL(pages.issuer), client_id, { client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    const basic = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`;
    for (let round = 0; round < 10; round += 1) {
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri, scope: 'openid', state: `r${round}`,
        code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      const code = (await authorize(url, userId, redirect_uri)).searchParams.get('code')!;
      const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri, code_verifier: verifier }).toString();
      const redeem = (replica: ServerProcess) =>
        fetch(`${replica.url}/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body });
      const responses = await Promise.all([redeem(a), redeem(b)]);
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses, `round ${round}`).toEqual([200, 400]);
      const failure = responses.find((r) => r.status === 400)!;
      expect(await failure.json()).toMatchObject({ error: 'invalid_grant' });
    }
  });

  it('a key rotation reaches every replica without a restart, and old tokens still verify', async () => {
    const { client_id, client_secret } = await pages.createClient();
    await pages.createResource('https://api.replicas.example', ['read'], 300);
    const tokenFrom = async (replica: ServerProcess) => {
      // Straight to the replica's token endpoint (same issuer, another port).
      const response = await fetch(`${replica.url}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource: 'https://api.replicas.example', scope: 'read' }).toString(),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { access_token: string }).access_token;
    };
    const before = decodeProtectedHeader(await tokenFrom(b)).kid;

    const rotated = await runCli(['--json', 'keys', 'rotate', '--now'], { ...env, PORT: '1' });
    expect(rotated.code, rotated.stderr).toBe(0);
    const newKid = (JSON.parse(rotated.stdout) as { rotated: Array<{ kid: string; alg: string }> }).rotated.find((k) => k.alg === 'RS256')!.kid;
    expect(newKid).not.toBe(before);

    const started = Date.now();
    for (const replica of [a, b]) {
      let kid: string | undefined;
      while (Date.now() - started < 60_000) {
        kid = decodeProtectedHeader(await tokenFrom(replica)).kid;
        if (kid === newKid) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(kid).toBe(newKid);
    }
    const { keys } = (await (await fetch(`${b.url}/jwks`)).json()) as { keys: Array<{ kid: string }> };
    expect(keys.map((k) => k.kid)).toEqual(expect.arrayContaining([before, newKid]));
  });

  it('SIGTERM shuts a replica down cleanly', async () => {
    const port = await freePort();
    const c = await spawnServer({ ...env, PORT: String(port) });
    expect(await c.stop('SIGTERM')).toBe(0);
  });
});
