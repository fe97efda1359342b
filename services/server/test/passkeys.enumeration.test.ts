import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, startFlow, type Flow } from './support/email-code-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';

/**
 * Nothing about passkey sign-in tells whether an account exists or has a
 * passkey: the options are the same whatever address is typed (no
 * allowCredentials: the browser offers what it holds), and a refused
 * assertion gets the same answer whether its credential is unknown or
 * known with a bad signature.
 */
const backends: Array<'pglite' | 'postgres'> = ['pglite', ...(canUseRealServices ? (['postgres'] as const) : [])];

describe.each(backends)('passkey sign-in does not tell accounts apart (%s)', (backend) => {
  let server: TestServer;
  const email = `enum-${process.pid}@example.com`;
  const knownCredential = randomBytes(16).toString('base64url');
  beforeAll(async () => {
    server = await startTestServer({ backend });
    const userId = await server.createUser({ email });
    await server.db.knex('webauthn_credentials').insert({
      credential_id: knownCredential,
      user_id: userId,
      name: 'Laptop',
      public_key: randomBytes(77).toString('base64url'),
      device_type: 'singleDevice',
    });
  }, 60_000);
  afterAll(() => server?.stop());

  const options = async (flow: Flow, fields: Record<string, string>) => {
    const response = await post(flow, `/interaction/${flow.uid}/passkey/options`, fields);
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers the options alike for an existing account, a missing one and no address', async () => {
    const answers = [];
    const cases: Array<Record<string, string>> = [{ email }, { email: `missing-${process.pid}@example.com` }, {}];
    for (const fields of cases) answers.push(await options(await startFlow(server), fields));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.body).toMatchObject({ rpId: 'localhost', allowCredentials: [], userVerification: 'required' });
    }
    const shapes = answers.map(({ body: { challenge, ...rest } }) => ({ ...rest, challenge: typeof challenge }));
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
    expect(new Set(answers.map((answer) => answer.body.challenge)).size).toBe(3);
  });

  /** A well-formed assertion for a fresh challenge of this flow, signed by nobody. */
  async function forgedAssertion(flow: Flow, credentialId: string) {
    const { body } = await options(flow, {});
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: body.challenge, origin: server.issuer })).toString('base64url');
    return JSON.stringify({
      id: credentialId,
      rawId: credentialId,
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON, authenticatorData: randomBytes(37).toString('base64url'), signature: randomBytes(70).toString('base64url') },
    });
  }

  it('refuses an unknown credential exactly like a known one with a bad signature', async () => {
    const pages = [];
    for (const id of [knownCredential, randomBytes(16).toString('base64url')]) {
      const flow = await startFlow(server);
      await get(flow, `/interaction/${flow.uid}`);
      const response = await post(flow, `/interaction/${flow.uid}/passkey`, { response: await forgedAssertion(flow, id) });
      const page = await response.text();
      pages.push({ status: response.status, page: page.replaceAll(flow.uid, 'UID').replace(/name="csrf" value="[^"]+"/g, '').replace(/to continue to [^<]+/, '') });
    }
    expect(pages[0]!.status).toBe(401);
    expect(pages[1]).toEqual(pages[0]);
    expect(pages[0]!.page).toContain('That passkey could not be used');
    const reasons = await server.db.knex('audit_events').where({ type: 'sign_in.failure' }).whereRaw(`data->>'method' = 'hwk'`).select(server.db.knex.raw(`data->>'reason' as reason`));
    expect(reasons.map((row: { reason: string }) => row.reason)).toEqual(expect.arrayContaining(['passkey_signature', 'passkey_unknown']));
  });
});
