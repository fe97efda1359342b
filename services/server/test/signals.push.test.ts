import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getUser, updateUser } from '../src/accounts/admin-users.ts';
import { revokeGrantById } from '../src/accounts/grants.ts';
import { changeAccountStatus } from '../src/accounts/status.ts';
import { recordAuditEvent } from '../src/events/audit.ts';
import { revokeSession } from '../src/sessions/revoke.ts';
import { pairwiseSessionId } from '../src/signals/pairwise.ts';
import { inputValue, isInteraction, PageClient, signInOnly } from './support/hosted-flow.ts';
import { canUseRealServices, startTestServer, type TestServer } from './support/server.ts';
import { setValidator, ssfCall, ssfReceiverToken, startPushReceiver, type PushReceiver, type ReceivedSet } from './support/ssf-receiver.ts';

const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';
const ALL = [
  `${CAEP}session-revoked`,
  `${CAEP}credential-change`,
  `${CAEP}token-claims-change`,
  `${RISC}account-disabled`,
  `${RISC}account-enabled`,
  `${RISC}account-purged`,
];
const OPERATOR = { actorType: 'operator' as const, actorId: 'test' };

describe('shared signals push delivery and triggers', () => {
  let server: TestServer;
  let receiver: PushReceiver;
  let stream: { id: string; token: string; clientId: string };

  beforeAll(async () => {
    server = await startTestServer({ backend: canUseRealServices ? 'postgres' : 'pglite', signals: { pollMs: 5_000 } });
    const { token, clientId } = await ssfReceiverToken(server);
    receiver = await startPushReceiver(setValidator(server.issuer, clientId));
    const created = await ssfCall(server, token, 'POST', '/ssf/streams', {
      delivery: { method: 'urn:ietf:rfc:8935', endpoint_url: receiver.url, authorization_header: 'Bearer push-secret' },
      events_requested: ALL,
    });
    expect(created.status).toBe(201);
    stream = { id: created.body.stream_id, token, clientId };
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
  });

  /** The next SET for `userId` (or matching `where`) of `type`, waited for. */
  async function next(type: string, where: (set: ReceivedSet) => boolean): Promise<ReceivedSet> {
    await receiver.waitFor((sets) => sets.some((set) => set.type === type && where(set)));
    return receiver.received.find((set) => set.type === type && where(set))!;
  }
  const aboutUser = (userId: string) => (set: ReceivedSet) => JSON.stringify(set.claims.sub_id).includes(userId);

  /** A real browser session at a first-party client, signed in through the hosted pages. */
  async function signedIn(userId: string) {
    const created = await server.createClient({ first_party: true });
    const config = await client.discovery(new URL(server.issuer), created.client_id, { client_secret: created.client_secret }, undefined, { execute: [client.allowInsecureRequests] });
    const isCallback = (url: URL) => url.href.startsWith(created.redirect_uri);
    const browser = new PageClient(server.issuer);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: created.redirect_uri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const login = await browser.follow(url, (u) => isInteraction(u) || isCallback(u));
    const callback = await browser.follow(await signInOnly(server, login.url, userId), isCallback);
    const tokens = await client.authorizationCodeGrant(config, callback.url, { pkceCodeVerifier: verifier });
    const { uid } = await server.db.knex('sessions').where({ user_id: userId, status: 'active' }).first('uid');
    return { browser, idToken: tokens.id_token!, uid: uid as string };
  }

  it('pushes a verification event, signed and with the stream\'s authorization header', async () => {
    const started = Date.now();
    expect((await ssfCall(server, stream.token, 'POST', '/ssf/verify', { stream_id: stream.id, state: 'push-check' })).status).toBe(204);
    const set = await next(`${SSF}verification`, () => true);
    // The worker's timer is 5 s: only the ssf:events wake-up gets it here this soon.
    expect(Date.now() - started).toBeLessThan(1000);
    expect(set.event).toEqual({ state: 'push-check' });
    expect(receiver.authorizations.every((value) => value === 'Bearer push-secret')).toBe(true);
  });

  it('logout at the end-session endpoint sends session-revoked with the pairwise session id', async () => {
    const userId = await server.createUser();
    const { browser, idToken, uid } = await signedIn(userId);
    const page = await (await browser.get(`/session/end?${new URLSearchParams({ id_token_hint: idToken })}`)).text();
    await browser.post('/session/end/confirm', { xsrf: inputValue(page, 'xsrf'), logout: 'yes' });
    const set = await next(`${CAEP}session-revoked`, (s) => (s.claims.sub_id as { format: string }).format === 'complex' && aboutUser(userId)(s));
    expect(set.claims.sub_id).toEqual({
      format: 'complex',
      user: { format: 'iss_sub', iss: server.issuer, sub: userId },
      session: { format: 'opaque', id: pairwiseSessionId(server.keyring, stream.clientId, uid) },
    });
    expect(set.event).toMatchObject({ initiating_entity: 'user', event_timestamp: expect.any(Number) });
  });

  it('a session revoked by an admin and a grant revoked send session-revoked', async () => {
    const userId = await server.createUser();
    const { uid } = await signedIn(userId);
    expect(await revokeSession({ knex: server.db.knex, store: server.store }, uid, 'suspicious', OPERATOR)).toBe(true);
    const session = await next(`${CAEP}session-revoked`, aboutUser(userId));
    expect(session.event).toMatchObject({ initiating_entity: 'admin', reason_admin: { en: 'suspicious' } });

    const { id: grantId } = await server.db.knex('grants').where({ user_id: userId }).first('id');
    expect(await revokeGrantById({ knex: server.db.knex }, grantId, { actor: OPERATOR })).toEqual({ ok: true });
    const grant = await next(`${CAEP}session-revoked`, (s) => (s.claims.sub_id as { id?: string }).id === grantId);
    expect(grant.claims.sub_id).toEqual({ format: 'opaque', id: grantId });
  });

  it('credential, role and account changes send credential-change, token-claims-change and RISC events', async () => {
    const userId = await server.createUser();
    const knex = server.db.knex;
    for (const type of ['password.changed', 'password.reset', 'passkey.added', 'totp.disabled'] as const) {
      await recordAuditEvent(knex, { type, actorUserId: userId, subjectUserId: userId, data: type === 'passkey.added' ? { device_type: 'multiDevice' } : {} });
    }
    const user = await getUser(knex, userId);
    expect(await updateUser({ knex, store: server.store }, userId, { role: 'admin' }, { expectedVersion: user!.version, actor: OPERATOR })).toMatchObject({ ok: true });
    for (const action of ['block', 'unblock', 'delete'] as const) await changeAccountStatus({ knex, store: server.store }, userId, { action }, { actor: OPERATOR });

    await receiver.waitFor((sets) => sets.filter(aboutUser(userId)).length >= 8);
    const mine = receiver.received.filter(aboutUser(userId));
    // Push sends a batch in parallel (RFC 8935 promises no order; receivers order by event_timestamp), so compare as a set.
    const byKey = (a: unknown[], b: unknown[]) => JSON.stringify(a).localeCompare(JSON.stringify(b));
    expect(mine.map((s) => [s.type, s.event.credential_type ?? null, s.event.change_type ?? null]).sort(byKey)).toEqual(
      [
        [`${CAEP}credential-change`, 'password', 'update'],
        [`${CAEP}credential-change`, 'password', 'update'],
        [`${CAEP}credential-change`, 'fido2-platform', 'create'],
        [`${CAEP}credential-change`, 'app', 'delete'],
        [`${CAEP}token-claims-change`, null, null],
        [`${RISC}account-disabled`, null, null],
        [`${RISC}account-enabled`, null, null],
        [`${RISC}account-purged`, null, null],
      ].sort(byKey),
    );
    expect(mine.find((s) => s.type === `${CAEP}token-claims-change`)!.event.claims).toEqual({ role: 'admin' });
    for (const set of mine) expect(set.claims.sub_id).toEqual({ format: 'iss_sub', iss: server.issuer, sub: userId });
  });

  it('a person added by email gets account events with the email subject; one removed gets none', async () => {
    const email = `signals-${Date.now()}@example.com`;
    const added = await server.createUser({ email });
    const removed = await server.createUser();
    expect((await ssfCall(server, stream.token, 'POST', '/ssf/subjects:add', { stream_id: stream.id, subject: { format: 'email', email } })).status).toBe(200);
    const gone = { stream_id: stream.id, subject: { format: 'iss_sub', iss: server.issuer, sub: removed } };
    expect((await ssfCall(server, stream.token, 'POST', '/ssf/subjects:remove', gone)).status).toBe(204);
    await changeAccountStatus({ knex: server.db.knex, store: server.store }, removed, { action: 'block' }, { actor: OPERATOR });
    await changeAccountStatus({ knex: server.db.knex, store: server.store }, added, { action: 'block' }, { actor: OPERATOR });
    const set = await next(`${RISC}account-disabled`, (s) => (s.claims.sub_id as { email?: string }).email === email);
    expect(set.claims.sub_id).toEqual({ format: 'email', email });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.filter(aboutUser(removed))).toEqual([]);
  });

  it('a status change sends stream-updated; every SET was valid and unique', async () => {
    await ssfCall(server, stream.token, 'POST', '/ssf/status', { stream_id: stream.id, status: 'enabled', reason: 'checked' });
    const set = await next(`${SSF}stream-updated`, () => true);
    expect(set.event).toEqual({ status: 'enabled', reason: 'checked' });
    expect(receiver.errors).toEqual([]);
    expect(new Set(receiver.received.map((s) => s.claims.jti)).size).toBe(receiver.received.length);
  });
});
