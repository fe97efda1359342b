import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlow } from './support/email-code-flow.ts';
import { nextIp, postFrom, TRUST_LOOPBACK } from './support/forwarded.ts';
import { canUseRealServices, startTestServerWithMail, type MailTestServer } from './support/server.ts';
import { extractCode } from './support/smtp.ts';

/**
 * Attack: a stranger submits the sign-up form with someone else's address
 * until the server refuses, hoping the owner cannot sign up. The per-address
 * budget is per (address, IP): the owner on another IP gets the sign-up code
 * on the first try and finishes.
 */
const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];
const PASSWORD = 'plum tree harbour lantern';

describe.each(backends)('sign-up lock-out (%s)', (backend) => {
  let server: MailTestServer;
  beforeAll(async () => {
    server = await startTestServerWithMail({ backend, env: TRUST_LOOPBACK });
  });
  afterAll(() => server?.stop());

  const signUp = async (email: string, ip: string) => {
    const flow = await startFlow(server);
    const response = await postFrom(flow, ip, `/interaction/${flow.uid}/signup`, { email, name: 'Ada Lovelace', password: PASSWORD });
    await response.arrayBuffer();
    return { flow, status: response.status };
  };

  it('an attacker who spends their whole budget on an address leaves the owner, on a fresh IP, a sign-up code on the first try', async () => {
    const email = `signup-victim-${process.pid}@example.com`;
    const attacker = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await signUp(email, attacker)).status);
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429, 429]);
    for (let i = 0; i < 5; i += 1) await server.mail.nextMailTo(email);

    const ownerIp = nextIp();
    const owner = await signUp(email, ownerIp);
    expect(owner.status).toBe(303);
    const code = extractCode(await server.mail.nextMailTo(email));
    const verified = await postFrom(owner.flow, ownerIp, `/interaction/${owner.flow.uid}/signup/verify`, { code });
    expect(verified.status).toBe(303);
    const row = await server.db.knex('users').whereRaw('lower(email) = lower(?)', [email]).first();
    expect(row.email_verified).toBe(true);
  });
});
