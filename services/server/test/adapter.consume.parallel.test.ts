import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../src/crypto/keyring.ts';
import { createAdapter, type AdapterClass } from '../src/oidc/adapter.ts';
import { freshPostgres, realDatabaseUrl } from './support/backends.ts';
import type { Outcome } from './support/consume-worker.ts';
import {
  accessTokenPayload,
  authorizationCodePayload,
  grantPayload,
  insertClient,
  refreshTokenPayload,
} from './support/oidc-payloads.ts';

const ROUNDS = 25;
const workerScript = fileURLToPath(new URL('./support/consume-worker.ts', import.meta.url));

/** One worker process with a line-based request/response channel. */
class Worker {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #pending: Array<{ resolve: (message: Record<string, unknown>) => void; reject: (error: Error) => void }> = [];
  readonly ready: Promise<Record<string, unknown>>;

  constructor(databaseUrl: string) {
    this.#child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', workerScript], {
      env: { ...process.env, LATCHKEY_WORKER_DATABASE_URL: databaseUrl },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    this.#lines = createInterface({ input: this.#child.stdout });
    this.#lines.on('line', (line) => this.#pending.shift()?.resolve(JSON.parse(line) as Record<string, unknown>));
    this.#child.on('exit', (code) => {
      for (const waiter of this.#pending.splice(0)) waiter.reject(new Error(`consume worker exited with ${code}`));
    });
    this.ready = this.#next();
  }

  #next(): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => this.#pending.push({ resolve, reject }));
  }

  /** Queues the reply first, then writes: the caller writes to both workers back to back. */
  send(go: Array<{ model: string; id: string }>): Promise<Outcome[]> {
    const reply = this.#next().then((message) => message.outcomes as Outcome[]);
    this.#child.stdin.write(`${JSON.stringify({ go })}\n`);
    return reply;
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin.end('exit\n');
    await exited;
  }
}

describe.skipIf(!realDatabaseUrl)('consume under a real race: two processes, one Postgres', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let Adapter: AdapterClass;
  let clientId: string;
  const workers: Worker[] = [];

  beforeAll(async () => {
    db = await freshPostgres();
    Adapter = createAdapter(db, new Keyring(['test-secret-one']));
    clientId = await insertClient(db.knex);
    workers.push(new Worker(db.url), new Worker(db.url));
    await Promise.all(workers.map((worker) => worker.ready));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await db?.close();
  });

  async function issue(kind: 'code' | 'refresh') {
    const grant = grantPayload({ clientId });
    const access = accessTokenPayload({ clientId, grantId: grant.jti, accountId: grant.accountId });
    const single =
      kind === 'code'
        ? authorizationCodePayload({ clientId, grantId: grant.jti, accountId: grant.accountId })
        : refreshTokenPayload({ clientId, grantId: grant.jti, accountId: grant.accountId });
    await new Adapter('Grant').upsert(grant.jti, grant, 3600);
    await new Adapter('AccessToken').upsert(access.jti, access, 3600);
    const model = kind === 'code' ? 'AuthorizationCode' : 'RefreshToken';
    await new Adapter(model).upsert(single.jti, single, 600);
    return { model, id: single.jti, grantId: grant.jti, accessId: access.jti };
  }

  it(`exactly one of two processes redeems a code and a refresh token (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      // Separate grants: the code's loser revokes its grant, which must not touch the refresh token's.
      const code = await issue('code');
      const refresh = await issue('refresh');
      const go = [
        { model: code.model, id: code.id },
        { model: refresh.model, id: refresh.id },
      ];
      // Both requests leave back to back; each worker runs both consumes at once.
      const [a, b] = await Promise.all([workers[0]!.send(go), workers[1]!.send(go)]);

      for (const [index, item] of [code, refresh].entries()) {
        const outcomes = [a![index]!, b![index]!];
        const wins = outcomes.filter((outcome) => outcome.ok);
        expect(wins, `round ${round}, ${item.model}`).toHaveLength(1);
        expect(outcomes.find((outcome) => !outcome.ok)).toEqual({ ok: false, error: 'invalid_grant' });
        // The loser's reuse detection revoked the grant and what it issued.
        expect(await new Adapter('Grant').find(item.grantId)).toBeUndefined();
        expect(await new Adapter('AccessToken').find(item.accessId)).toBeUndefined();
      }
      const consumed = await db.knex('refresh_tokens').where({ id: refresh.id }).first();
      expect(consumed).toMatchObject({ consumed_at: expect.any(Date), revoked_at: expect.any(Date) });
    }
  }, 120_000);
});
