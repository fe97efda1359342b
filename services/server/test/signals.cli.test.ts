import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import { runCli } from './support/process.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { ssfCall, ssfReceiverToken } from './support/ssf-receiver.ts';

describe.skipIf(!realDatabaseUrl)('latchkey ssf streams', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let server: TestServer;
  let env: Record<string, string>;
  const cli = (args: string[]) => runCli(['--json', 'ssf', 'streams', ...args], env);

  beforeAll(async () => {
    db = await freshPostgres();
    const secrets = randomBytes(32).toString('base64url');
    server = await startTestServer({ databaseUrl: db.url, secrets });
    env = { DATABASE_URL: db.url, LATCHKEY_SECRETS: secrets };
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it('lists every receiver\'s streams and deletes one, audited', async () => {
    const { token, clientId } = await ssfReceiverToken(server);
    const { body } = await ssfCall(server, token, 'POST', '/ssf/streams', { description: 'billing' });
    const listed = await cli(['list']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).streams).toEqual([expect.objectContaining({ stream_id: body.stream_id, client_id: clientId, status: 'enabled', description: 'billing' })]);

    const deleted = await cli(['delete', body.stream_id]);
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({ stream_id: body.stream_id, deleted: true });
    expect((await ssfCall(server, token, 'GET', `/ssf/streams?stream_id=${body.stream_id}`)).status).toBe(404);
    expect(await server.db.knex('audit_events').where({ type: 'ssf_stream.deleted', subject_id: body.stream_id }).first('actor_type')).toEqual({ actor_type: 'operator' });
    const again = await cli(['delete', body.stream_id]);
    expect(again.code).toBe(2);
  });
});
