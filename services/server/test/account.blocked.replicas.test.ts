import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configAt, signInWithTokens } from './support/account-flow.ts';
import { realDatabaseUrl, realRedisUrl } from './support/backends.ts';
import { startDeployment, type Deployment } from './support/deployment.ts';
import { runCli } from './support/process.ts';

/**
 * Two `latchkey start` replicas on one Postgres + Redis. A person signed in
 * on replica A, with an app holding their refresh token, is blocked from the
 * CLI: within a second neither replica honours the session (prompt=none
 * answers login_required), the refresh token (invalid_grant), the access
 * token (introspection inactive, userinfo 401).
 */
describe.skipIf(!realDatabaseUrl || !realRedisUrl)('blocking an account across replicas', () => {
  let deployment: Deployment;
  beforeAll(async () => {
    deployment = await startDeployment();
  }, 90_000);
  afterAll(() => deployment?.stop());

  it.each([
    ['block', []],
    ['lock', ['--until', '1h']],
  ])('%s from the CLI is obeyed by every replica within a second', async (action, extra) => {
    const { pages, a, b, env } = deployment;
    const person = await signInWithTokens(pages, { authBase: a.url, tokenBase: a.url });
    const atB = configAt(pages, b.url, person.client);
    expect(await person.silent(b.url)).toBe('code');
    expect(await client.tokenIntrospection(atB, person.tokens.access_token)).toMatchObject({ active: true });

    const result = await runCli(['--json', 'users', action, '--email', person.email, ...extra], { ...env, PORT: '1' });
    expect(result.code, result.stderr).toBe(0);
    const doneAt = Date.now();

    expect(await person.silent(b.url)).toBe('login_required');
    expect(await person.silent(a.url)).toBe('login_required');
    expect(await client.tokenIntrospection(atB, person.tokens.access_token)).toEqual({ active: false });
    expect(await client.tokenIntrospection(atB, person.tokens.refresh_token!)).toEqual({ active: false });
    await expect(client.fetchUserInfo(atB, person.tokens.access_token, person.userId)).rejects.toMatchObject({ status: 401 });
    await expect(client.refreshTokenGrant(person.config, person.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(Date.now() - doneAt).toBeLessThan(1000);
  });
});
