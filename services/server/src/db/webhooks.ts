import type { Knex } from 'knex';

/** Registered webhook endpoints. `secret` / `previous_secret` are sealed with the keyring ('webhook-secret'). */
export type WebhookRow = {
  id: string;
  url: string;
  description: string | null;
  event_types: string[];
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Date | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
};

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type NewWebhook = { url: string; description: string | null; event_types: string[]; secret: string; enabled: boolean };

export async function insertWebhook(db: Knex, webhook: NewWebhook): Promise<WebhookRow> {
  const [row] = await db('webhooks').insert(webhook).returning('*');
  return row as WebhookRow;
}

export async function findWebhook(db: Knex, id: string): Promise<WebhookRow | undefined> {
  if (!UUID.test(id)) return undefined;
  return db('webhooks').where({ id }).first();
}

/** Oldest first, keyset-paginated on (created_at, id). */
export async function listWebhooks(db: Knex, options: { limit: number; after?: { created_at: string; id: string } }): Promise<WebhookRow[]> {
  const query = db('webhooks').orderBy([{ column: 'created_at' }, { column: 'id' }]).limit(options.limit);
  if (options.after) query.whereRaw('(created_at, id) > (?::timestamptz, ?::uuid)', [options.after.created_at, options.after.id]);
  return query;
}

export type WebhookChange = Partial<Pick<WebhookRow, 'url' | 'description' | 'event_types' | 'enabled' | 'secret' | 'previous_secret' | 'previous_secret_until'>>;

/**
 * Applies `change` only while the row is still the version the caller saw
 * (`updated_at` equal to `ifUpdatedAt`, when given), in one statement: two
 * admins never overwrite each other. 'stale' when someone changed it since.
 */
export async function updateWebhook(db: Knex, id: string, change: WebhookChange, ifUpdatedAt?: Date): Promise<WebhookRow | 'not_found' | 'stale'> {
  if (!UUID.test(id)) return 'not_found';
  const query = db('webhooks')
    .where({ id })
    // A new version every time (milliseconds: the ETag travels through a JavaScript date), even twice in one millisecond.
    .update({ ...change, updated_at: db.raw(`greatest(date_trunc('milliseconds', clock_timestamp()), updated_at + interval '1 millisecond')`) })
    .returning('*');
  if (ifUpdatedAt) query.andWhere('updated_at', ifUpdatedAt);
  const [row] = (await query) as WebhookRow[];
  if (row) return row;
  return (await findWebhook(db, id)) ? 'stale' : 'not_found';
}

export async function deleteWebhook(db: Knex, id: string, ifUpdatedAt?: Date): Promise<WebhookRow | 'not_found' | 'stale'> {
  if (!UUID.test(id)) return 'not_found';
  const query = db('webhooks').where({ id }).delete().returning('*');
  if (ifUpdatedAt) query.andWhere('updated_at', ifUpdatedAt);
  const [row] = (await query) as WebhookRow[];
  if (row) return row;
  return (await findWebhook(db, id)) ? 'stale' : 'not_found';
}
