/**
 * A second (and third) process for adapter.consume.parallel.test.ts: it opens
 * its own pool on the database named by LATCHKEY_WORKER_DATABASE_URL and, for
 * every `go` line on stdin, consumes the listed ids concurrently, answering
 * with one JSON line of outcomes. Two of these receive `go` at the same moment.
 */
import { createInterface } from 'node:readline';
import { Keyring } from '../../src/crypto/keyring.ts';
import { createDb } from '../../src/db/knex.ts';
import { createAdapter } from '../../src/oidc/adapter.ts';

type Go = { go: Array<{ model: string; id: string }> };
export type Outcome = { ok: true } | { ok: false; error: string };

const url = process.env.LATCHKEY_WORKER_DATABASE_URL;
if (!url) throw new Error('LATCHKEY_WORKER_DATABASE_URL is not set');

const db = await createDb({ databaseUrl: url, poolMax: 4 });
const Adapter = createAdapter(db, new Keyring(['test-secret-one']));
// Open the pool's connections now so `go` measures the statements, not connecting.
await Promise.all([1, 2, 3, 4].map(() => db.knex.raw('select pg_sleep(0.05)')));

const send = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
send({ ready: true });

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'exit') break;
  const { go } = JSON.parse(line) as Go;
  const outcomes = await Promise.all(
    go.map(({ model, id }) =>
      new Adapter(model).consume(id).then(
        (): Outcome => ({ ok: true }),
        (error: Error & { error?: string }): Outcome => ({ ok: false, error: error.error ?? error.message }),
      ),
    ),
  );
  send({ outcomes });
}
await db.close();
