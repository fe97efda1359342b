import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '../src/accounts/invitations.ts';
import { post, startFlow, type Flow } from './support/email-code-flow.ts';
import { canUseRealServices, startTestServerWithMail, type MailTestServer } from './support/server.ts';
import { extractCode } from './support/smtp.ts';

/**
 * Attack: a typo in the address on an invitation sign-up. The invitation must
 * not be spent (nor its scopes handed out) until the emailed code proves the
 * address; and when several flows prove addresses with one invitation at
 * once, exactly one of them gets it.
 */
let n = 0;
const address = (label: string) => `${label}-${process.pid}-${(n += 1)}@example.com`;
const PASSWORD = 'plum tree harbour lantern';

const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('invitations are redeemed only once the address is proved (%s)', (backend) => {
  let s: MailTestServer;
  beforeAll(async () => {
    s = await startTestServerWithMail({ backend, env: { LATCHKEY_SIGNUP: 'invite' } });
  });
  afterAll(() => s?.stop());

  const invite = (scopes: string[]) => createInvitation({ knex: s.db.knex, keyring: s.keyring, issuer: s.issuer }, { expiresInSeconds: 3600, scopes });
  const user = (email: string) => s.db.knex('users').whereRaw('lower(email) = lower(?)', [email]).first();
  const invitation = (id: string) => s.db.knex('invitations').where({ id }).first();
  const signUp = (flow: Flow, email: string, code: string) =>
    post(flow, `/interaction/${flow.uid}/signup`, { name: 'Ada', email, password: PASSWORD, invitation: code });
  const verify = (flow: Flow, code: string) => post(flow, `/interaction/${flow.uid}/signup/verify`, { code });

  it('a typo\'d address neither burns the invitation nor gets an account or its scopes; the right address then does', async () => {
    const { id, code } = await invite(['beta']);
    const flow = await startFlow(s);
    const typo = address('typo');
    expect((await signUp(flow, typo, code)).status).toBe(303);
    // The typo's owner is mailed a code for a flow they do not have; nothing else happened.
    await s.mail.nextMailTo(typo);
    expect(await user(typo)).toBeUndefined();
    expect(await invitation(id)).toMatchObject({ redeemed_at: null, redeemed_by: null });

    // The invitee notices and fills the form again with the right address.
    const email = address('right');
    expect((await signUp(flow, email, code)).status).toBe(303);
    const proved = await verify(flow, extractCode(await s.mail.nextMailTo(email)));
    expect(proved.status).toBe(303);
    // Signed in; "Add a passkey?" comes before the app (passkeys/after-sign-up.ts).
    expect(proved.headers.get('location')).toBe(`/interaction/${flow.uid}/passkey/offer`);

    const row = await user(email);
    expect(row).toMatchObject({ email_verified: true, scopes: ['beta'] });
    expect(await invitation(id)).toMatchObject({ redeemed_by: row.id });
    expect(await user(typo)).toBeUndefined();
  });

  it('two flows proving different addresses with one invitation at once: exactly one gets it', async () => {
    const { id, code } = await invite(['racer']);
    const flows = await Promise.all([startFlow(s), startFlow(s), startFlow(s)]);
    const emails = flows.map(() => address('racer'));
    for (const [i, flow] of flows.entries()) expect((await signUp(flow, emails[i]!, code)).status).toBe(303);
    const codes = await Promise.all(emails.map(async (email) => extractCode(await s.mail.nextMailTo(email))));

    const answers = await Promise.all(flows.map((flow, i) => verify(flow, codes[i]!)));
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([303, 409, 409]);
    const loser = answers.find((r) => r.status === 409)!;
    expect(await loser.text()).toContain('That invitation code is not valid');

    const rows = await s.db.knex('users').whereIn('email', emails);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ scopes: ['racer'], email_verified: true });
    expect(await invitation(id)).toMatchObject({ redeemed_by: rows[0].id });
    expect(await s.db.knex('audit_events').where({ type: 'invitation.redeemed', subject_id: id })).toHaveLength(1);
  });
});
