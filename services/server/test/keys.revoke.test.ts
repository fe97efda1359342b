import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canUseRealServices } from './support/server.ts';
import { runCli } from './support/process.ts';
import { startDeployment, type Deployment } from './support/deployment.ts';

/**
 * Attack: a signing key leaks. `latchkey keys revoke <kid>` must take it out
 * of every replica's JWKS at once (replicas poll only every 60 s here, so only
 * the store's pub/sub can make it), tokens it signed must stop verifying, and
 * the next key signs straight away. Key changes are audit events.
 */
describe.skipIf(!canUseRealServices)('keys revoke across replicas', () => {
  let d: Deployment;
  const api = 'https://api.example.com';

  beforeAll(async () => {
    d = await startDeployment({ LATCHKEY_KEY_REFRESH_SECONDS: '60' });
    await d.pages.createResource(api, ['read'], 300);
  }, 90_000);
  afterAll(() => d?.stop());

  const jwks = async (base: string) => (await (await fetch(`${base}/jwks`)).json()) as JSONWebKeySet;
  const kids = async (base: string) => (await jwks(base)).keys.map((key) => key.kid);
  const cli = (...args: string[]) => runCli([...args, '--json'], d.env);

  /** A JWT access token from `base` (RS256, the default for API resources). */
  const token = async (base: string, client: { client_id: string; client_secret?: string }) => {
    const response = await fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: api, scope: 'read' }).toString(),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  };

  it('a revoked key leaves both replicas\' JWKS within a second, its tokens stop verifying, and the next key signs', { timeout: 60_000 }, async () => {
    const client = await d.pages.createClient({ scope: 'read' });
    const before = await token(d.a.url, client);
    const compromised = decodeProtectedHeader(before).kid!;
    expect(await kids(d.b.url)).toContain(compromised);
    await jwtVerify(before, createLocalJWKSet(await jwks(d.b.url)), { audience: api });

    const result = await cli('keys', 'revoke', compromised);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { revoked: { kid: string; alg: string; status: string }; active: { kid: string } | null };
    expect(out.revoked).toEqual({ kid: compromised, alg: 'RS256', status: 'active' });
    expect(out.active?.kid).toBeTruthy();

    const deadline = Date.now() + 1_500;
    for (const replica of [d.a, d.b]) {
      while ((await kids(replica.url)).includes(compromised)) {
        expect(Date.now(), `${replica.url} still publishes the revoked key`).toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await kids(replica.url)).toContain(out.active!.kid);
      // Signed with the successor at once, not after a propagation delay.
      expect(decodeProtectedHeader(await token(replica.url, client)).kid).toBe(out.active!.kid);
    }
    await expect(jwtVerify(before, createLocalJWKSet(await jwks(d.a.url)), { audience: api })).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });

    const events = await d.db.knex('audit_events').where({ type: 'signing_key.revoked', subject_id: compromised });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_type: 'operator', subject_type: 'signing_key', data: { alg: 'RS256', was: 'active', replaced_by: out.active!.kid } });
    expect(JSON.stringify(events[0])).not.toMatch(/"d":/);
  });

  it('an unknown kid is refused with one line and exit 2; rotations are audited', { timeout: 60_000 }, async () => {
    const unknown = await runCli(['keys', 'revoke', 'no-such-kid'], d.env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/no signing key with kid no-such-kid/);
    // A kid is a base64url thumbprint and may start with '-': it is taken as the kid, not as an option.
    const dashed = await runCli(['keys', 'revoke', '-no-such-kid'], d.env);
    expect(dashed.code).toBe(2);
    expect(dashed.stderr.trim()).toMatch(/no signing key with kid -no-such-kid/);

    const rotated = await cli('keys', 'rotate');
    expect(rotated.code, rotated.stderr).toBe(0);
    const kidsRotated = (JSON.parse(rotated.stdout) as { rotated: Array<{ kid: string }> }).rotated.map((key) => key.kid);
    const events = await d.db.knex('audit_events').where({ type: 'signing_key.rotated' }).whereIn('subject_id', kidsRotated);
    expect(events).toHaveLength(kidsRotated.length);

    // Revoking the pending next key leaves the current key signing (no gap when its date comes).
    const next = kidsRotated[0]!;
    const revoked = JSON.parse((await cli('keys', 'revoke', next)).stdout) as { revoked: { status: string }; active: unknown };
    expect(revoked).toEqual({ revoked: expect.objectContaining({ kid: next, status: 'next' }), active: null });
    const list = JSON.parse((await cli('keys', 'list')).stdout) as { keys: Array<{ kid: string; alg: string; status: string; retired_at: string | null }> };
    expect(list.keys.map((key) => key.kid)).not.toContain(next);
    // `keys rotate` adds RS256 first: that was the next RS256 key; the active RS256 key no longer retires.
    const current = list.keys.filter((key) => key.alg === 'RS256' && key.status === 'active');
    expect(current).toHaveLength(1);
    expect(current[0]!.retired_at).toBeNull();
  });
});
