import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { enqueueForStream, enqueueForStreams } from '../db/ssf-outbox.ts';
import type { OutboxEvent } from './event-record.ts';
import { wakeAfterCommit } from './wake.ts';

// One txn per transaction: the events one change causes (a reset's credential change and session revocations) share it.
const txns = new WeakMap<object, string>();
const txnOf = (db: Knex) => {
  if (!db.isTransaction) return randomUUID();
  let txn = txns.get(db);
  if (!txn) {
    txn = randomUUID();
    txns.set(db, txn);
  }
  return txn;
};

/** Adds a security event to the outbox of every stream that should get it, in `db`'s transaction. */
export async function enqueueSecurityEvent(db: Knex, event: OutboxEvent): Promise<void> {
  wakeAfterCommit(db, await enqueueForStreams(db, event, txnOf(db)));
}

/** Adds an event about one stream (verification, stream-updated) to that stream alone. */
export async function enqueueStreamEvent(db: Knex, streamId: string, event: OutboxEvent): Promise<void> {
  await enqueueForStream(db, streamId, event, null);
  wakeAfterCommit(db, [streamId]);
}
