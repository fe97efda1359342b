import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/password/hash.ts';
import { startFlow } from './support/email-code-flow.ts';
import { nextIp, postFrom, TRUST_LOOPBACK } from './support/forwarded.ts';
import { canUseRealServices, startTestServerWithMail, type MailTestServer } from './support/server.ts';
import { extractCode } from './support/smtp.ts';

/**
 * Attack: a stranger asks for password resets for someone else's address
 * until the server refuses, hoping to keep the owner from resetting. The
 * per-address budget is per (address, IP): the owner on another IP gets a
 * reset code on the first try and can use it.
 */
const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];
const NEW_PASSWORD = 'lantern harbour plum tree';

describe.each(backends)('password-reset lock-out (%s)', (backend) => {
  let server: MailTestServer;
  beforeAll(async () => {
    server = await startTestServerWithMail({ backend, env: TRUST_LOOPBACK });
  });
  afterAll(() => server?.stop());

  const requestReset = async (email: string, ip: string) => {
    const flow = await startFlow(server);
    const response = await postFrom(flow, ip, `/interaction/${flow.uid}/reset`, { email });
    await response.arrayBuffer();
    return { flow, status: response.status };
  };

  it('an attacker who spends their whole budget on an address leaves the owner, on a fresh IP, a reset on the first try', async () => {
    const email = `reset-victim-${process.pid}@example.com`;
    const id = await server.createUser({ email, password_hash: await hashPassword('forgotten horse battery') });
    const attacker = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await requestReset(email, attacker)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    for (let i = 0; i < 5; i += 1) await server.mail.nextMailTo(email);

    const ownerIp = nextIp();
    const owner = await requestReset(email, ownerIp);
    expect(owner.status).toBe(200);
    const code = extractCode(await server.mail.nextMailTo(email));
    const done = await postFrom(owner.flow, ownerIp, `/interaction/${owner.flow.uid}/reset/confirm`, { email, code, password: NEW_PASSWORD });
    expect(done.status).toBeLessThan(400);
    const row = await server.db.knex('users').where({ id }).first();
    expect(await verifyPassword(row.password_hash, NEW_PASSWORD)).toBe(true);
  });
});
