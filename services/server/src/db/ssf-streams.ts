import type { Knex } from 'knex';

export type StreamStatus = 'enabled' | 'paused' | 'disabled';

export type StreamRow = {
  id: string;
  client_id: string;
  aud: string;
  delivery_method: string;
  endpoint_url: string | null;
  authorization_header: string | null;
  events_requested: string[];
  events_delivered: string[];
  status: StreamStatus;
  status_reason: string | null;
  description: string | null;
  created_at: Date;
  updated_at: Date;
};

export type StreamFields = Pick<StreamRow, 'aud' | 'delivery_method' | 'endpoint_url' | 'authorization_header' | 'events_requested' | 'events_delivered' | 'description'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function insertStream(db: Knex, clientId: string, fields: StreamFields): Promise<StreamRow> {
  const [row] = (await db('ssf_streams').insert({ client_id: clientId, ...fields }).returning('*')) as StreamRow[];
  return row!;
}

/** A stream owned by `clientId` (another client's stream is as absent as a missing one). */
export async function findOwnStream(db: Knex, clientId: string, id: string): Promise<StreamRow | undefined> {
  if (!UUID.test(id)) return undefined;
  return (await db('ssf_streams').where({ id, client_id: clientId }).first()) as StreamRow | undefined;
}

export async function listOwnStreams(db: Knex, clientId: string): Promise<StreamRow[]> {
  return (await db('ssf_streams').where({ client_id: clientId }).orderBy([{ column: 'created_at' }, { column: 'id' }])) as StreamRow[];
}

/** Every stream, for the operator's CLI. */
export async function listAllStreams(db: Knex): Promise<StreamRow[]> {
  return (await db('ssf_streams').orderBy([{ column: 'created_at' }, { column: 'id' }])) as StreamRow[];
}

export async function updateStream(db: Knex, id: string, change: Partial<StreamFields & Pick<StreamRow, 'status' | 'status_reason'>>): Promise<StreamRow | undefined> {
  const [row] = (await db('ssf_streams')
    .where({ id })
    .update({ ...change, updated_at: db.raw(`date_trunc('milliseconds', now())`) })
    .returning('*')) as StreamRow[];
  return row;
}

export async function deleteStream(db: Knex, id: string, clientId?: string): Promise<boolean> {
  if (!UUID.test(id)) return false;
  const query = db('ssf_streams').where({ id });
  if (clientId !== undefined) query.andWhere({ client_id: clientId });
  return ((await query.delete().returning('id')) as unknown[]).length > 0;
}
