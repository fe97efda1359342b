import type { Knex } from 'knex';

/** A person added to (or removed from) a stream by its receiver, in the subject format the receiver used. */
export async function upsertStreamSubject(db: Knex, streamId: string, userId: string, subject: Record<string, unknown>, removed: boolean): Promise<void> {
  await db('ssf_stream_subjects')
    .insert({ stream_id: streamId, user_id: userId, subject: JSON.stringify(subject), removed })
    .onConflict(['stream_id', 'user_id'])
    .merge({ subject: JSON.stringify(subject), removed, updated_at: db.fn.now() });
}
