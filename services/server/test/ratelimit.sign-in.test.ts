import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/password/hash.ts';
import { startFlow, type Flow } from './support/email-code-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

/**
 * Sign-in limits through the real password page: per (account, IP)
 * progressive delays, no account-wide lock, and the client address taken
 * only from what LATCHKEY_TRUST_PROXY allows.
 */

const PASSWORD = 'correct horse battery staple';
let n = 0;
const address = (label: string) => `${label}-${process.pid}-${(n += 1)}@example.com`;
const ip = () => `203.0.113.${(n += 1) % 250}`;

async function signIn(flow: Flow, email: string, password: string, forwardedFor?: string): Promise<Response> {
  const response = await fetch(new URL(`/interaction/${flow.uid}/password`, flow.server.url), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie: flow.jar.header(),
      'content-type': 'application/x-www-form-urlencoded',
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    body: new URLSearchParams({ csrf: flow.csrf, email, password }).toString(),
  });
  flow.jar.store(response);
  return response;
}

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('sign-in rate limits (%s)', (backend) => {
  let direct: TestServer;
  let proxied: TestServer;
  let hash: string;
  beforeAll(async () => {
    [direct, proxied, hash] = await Promise.all([
      startTestServer({ backend }),
      startTestServer({ backend, env: { LATCHKEY_TRUST_PROXY: 'loopback' } }),
      hashPassword(PASSWORD),
    ]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([direct?.stop(), proxied?.stop()]);
  });

  it('parallel guesses from one address cannot outrun the count: no more than the free tries get a verdict', async () => {
    const email = address('burst');
    await proxied.createUser({ email, password_hash: hash });
    const attacker = ip();
    const flow = await startFlow(proxied);
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => signIn(flow, email, `burst guess ${i}`, attacker)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });

  it('after five wrong passwords from one address even the right one waits (429, Retry-After); another address signs in', async () => {
    const email = address('pair');
    await proxied.createUser({ email, password_hash: hash });
    const attacker = ip();
    const flow = await startFlow(proxied);
    for (let i = 0; i < 5; i += 1) expect((await signIn(flow, email, `wrong guess ${i}`, attacker)).status).toBe(401);

    const refused = await signIn(flow, email, PASSWORD, attacker);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.text()).toContain('Too many attempts');

    const owner = await signIn(await startFlow(proxied), email, PASSWORD, ip());
    expect(owner.status).toBe(303);
  });

  it('a spoofed X-Forwarded-For does not get around the limit when no proxy is trusted', async () => {
    const email = address('spoof');
    await direct.createUser({ email, password_hash: hash });
    const flow = await startFlow(direct);
    // Every try claims to come from somewhere else; the server sees 127.0.0.1 each time.
    for (let i = 0; i < 5; i += 1) expect((await signIn(flow, email, `wrong guess ${i}`, ip())).status).toBe(401);
    const refused = await signIn(flow, email, PASSWORD, ip());
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);

    const recorded = await direct.db.knex('audit_events').where({ type: 'sign_in.failure' }).whereRaw(`data->>'identifier' like ?`, [`${email.slice(0, 2)}***%`]).select('ip');
    expect(recorded.length).toBeGreaterThanOrEqual(5);
    for (const row of recorded) expect(row.ip).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
  });

  it('with LATCHKEY_TRUST_PROXY=loopback the forwarded address is the one limited and recorded', async () => {
    const email = address('forwarded');
    await proxied.createUser({ email, password_hash: hash });
    const forwarded = ip();
    const flow = await startFlow(proxied);
    expect((await signIn(flow, email, 'not it', forwarded)).status).toBe(401);
    const row = await proxied.db.knex('audit_events').where({ type: 'sign_in.failure' }).orderBy('occurred_at', 'desc').first();
    expect(row.ip).toBe(forwarded);
  });

  it('an account attacked from many addresses is not locked: the owner on a fresh address signs in; a fresh wrong guess then waits long', async () => {
    const email = address('attacked');
    await proxied.createUser({ email, password_hash: hash });
    const flow = await startFlow(proxied);
    // Twenty failures from twenty addresses puts the account under attack (each pair alone is within its free tries).
    for (let i = 0; i < 20; i += 1) expect((await signIn(flow, email, `guess ${i}`, ip())).status).toBe(401);

    const owner = await signIn(await startFlow(proxied), email, PASSWORD, ip());
    expect(owner.status).toBe(303);

    const guesser = ip();
    const guessFlow = await startFlow(proxied);
    expect((await signIn(guessFlow, email, 'one more guess', guesser)).status).toBe(401);
    const waiting = await signIn(guessFlow, email, PASSWORD, guesser);
    expect(waiting.status).toBe(429);
    expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThanOrEqual(25);
  });
});
