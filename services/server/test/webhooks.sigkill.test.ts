import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import { insertClient } from '../src/db/clients.ts';
import { hashPassword } from '../src/password/hash.ts';
import { createWebhook } from '../src/webhooks/manage.ts';
import { freshPostgres } from './support/backends.ts';
import { post, startFlow } from './support/email-code-flow.ts';
import { spawnServer, type ServerProcess } from './support/process.ts';
import { canUseRealServices, freePort, type TestServer } from './support/server.ts';
import { startReceiver, type Receiver } from './support/webhook-receiver.ts';

const PASSWORD = 'plum tree harbour lantern';

// Two `latchkey start` processes in turn on one real Postgres: the first is SIGKILLed right after a change.
describe.skipIf(!canUseRealServices)('webhooks: server killed right after a change', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let receiver: Receiver;
  let dataDir: string;
  let running: ServerProcess | undefined;

  beforeAll(async () => {
    db = await freshPostgres();
    receiver = await startReceiver();
    dataDir = await mkdtemp(path.join(tmpdir(), 'latchkey-sigkill-'));
  });
  afterAll(async () => {
    await running?.stop('SIGKILL');
    await receiver?.close();
    await db?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers the event of a committed change after a restart', async () => {
    const secrets = randomBytes(32).toString('base64url');
    const port = await freePort();
    const issuer = `http://localhost:${port}`;
    const env = { DATABASE_URL: db.url, LATCHKEY_SECRETS: secrets, LATCHKEY_ISSUER: issuer, PORT: String(port), LATCHKEY_DATA_DIR: dataDir };

    const created = await createWebhook({ knex: db.knex, keyring: new Keyring([secrets]) }, { url: receiver.url, event_types: ['sign_in.failed'] }, { actorType: 'operator', actorId: 'test' });
    if ('problem' in created) throw new Error('webhook not created');
    receiver.setSecret(created.secret);
    // Until the restart the receiver is unavailable: whatever the first process manages to send is not accepted.
    receiver.respond(503);

    const email = `killed-${process.pid}@example.com`;
    const [user] = await db.knex('users').insert({ email, email_verified: true, password_hash: await hashPassword(PASSWORD) }).returning('id');
    const clientId = `client-${randomBytes(6).toString('hex')}`;
    const redirectUri = 'http://127.0.0.1:9999/callback';
    await insertClient(db.knex, {
      id: clientId, name: clientId, secret_hash: null, redirect_uris: [redirectUri], post_logout_redirect_uris: [], grant_types: ['authorization_code'],
      response_types: ['code'], scope: 'openid email', token_endpoint_auth_method: 'none', first_party: false, metadata: {},
    });

    running = await spawnServer(env);
    const pages = { issuer, url: running.url, createClient: async () => ({ client_id: clientId, redirect_uri: redirectUri }) } as unknown as TestServer;
    const flow = await startFlow(pages);
    const refused = await post(flow, `/interaction/${flow.uid}/password`, { email, password: 'definitely not it' });
    expect(refused.status).toBe(401);
    await running.stop('SIGKILL');
    running = undefined;

    // The change and its outbox row committed together; nothing was accepted.
    const [delivery] = await db.knex('webhook_deliveries').select('status', 'event_type');
    expect(delivery).toEqual({ status: 'pending', event_type: 'sign_in.failed' });
    const before = receiver.received.length;

    receiver.respond(204);
    running = await spawnServer(env);
    // A first attempt by the killed process backs off 5 s at most (plus jitter) before the restart's retry.
    await receiver.waitFor((r) => r.length > before, 30_000);
    await new Promise((r) => setTimeout(r, 300));
    const accepted = receiver.received.slice(before);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.verifyError).toBeUndefined();
    expect(accepted[0]!.payload).toMatchObject({ type: 'sign_in.failed', data: { user_id: (user as { id: string }).id, reason: 'credentials' } });
    expect(await db.knex('webhook_deliveries').select('status')).toEqual([{ status: 'delivered' }]);
  }, 60_000);
});
