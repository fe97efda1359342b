import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlow } from './support/email-code-flow.ts';
import { nextIp, postFrom, TRUST_LOOPBACK } from './support/forwarded.ts';
import { canUseRealServices, startTestServerWithMail, type MailTestServer } from './support/server.ts';
import { extractCode } from './support/smtp.ts';

/**
 * Attack: a stranger asks for sign-in codes for someone else's address until
 * the server refuses, hoping the owner is refused too. The per-address budget
 * is per (address, IP), and past the per-address ceiling a fresh IP still
 * gets its first code: the owner gets a code on the first try.
 */
const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];
let n = 0;
const address = () => `victim-${process.pid}-${(n += 1)}@example.com`;

describe.each(backends)('email-code lock-out (%s)', (backend) => {
  let server: MailTestServer;
  beforeAll(async () => {
    server = await startTestServerWithMail({ backend, env: TRUST_LOOPBACK });
  });
  afterAll(() => server?.stop());

  const requestCode = async (email: string, ip: string) => {
    const flow = await startFlow(server);
    const response = await postFrom(flow, ip, `/interaction/${flow.uid}/email-code`, { email });
    await response.arrayBuffer();
    return { flow, status: response.status };
  };

  it('an attacker who spends their whole budget on an address leaves the owner, on a fresh IP, a code on the first try', async () => {
    const email = address();
    await server.createUser({ email });
    const attacker = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await requestCode(email, attacker)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    for (let i = 0; i < 5; i += 1) await server.mail.nextMailTo(email);

    const owner = await requestCode(email, nextIp());
    expect(owner.status).toBe(200);
    const code = extractCode(await server.mail.nextMailTo(email));
    const signedIn = await postFrom(owner.flow, nextIp(), `/interaction/${owner.flow.uid}/email-code/verify`, { email, code });
    expect(signedIn.status).toBe(303);
  });

  it('past the per-address ceiling, reached from many IPs, a fresh IP still gets its first code', async () => {
    const email = address();
    await server.createUser({ email });
    // Five IPs × five requests: more than the ceiling of 20 an hour.
    const statuses = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const ip = nextIp();
        const seen: number[] = [];
        for (let i = 0; i < 5; i += 1) seen.push((await requestCode(email, ip)).status);
        return seen;
      }),
    );
    expect(statuses.flat()).toContain(429);
    const owner = await requestCode(email, nextIp());
    expect(owner.status).toBe(200);
  });
});
