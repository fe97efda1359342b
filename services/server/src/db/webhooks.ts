import type { Knex } from 'knex';
import type { Keyring } from '../crypto/keyring.ts';
import { keyset, pageOf, type Position } from './keyset.ts';
import { selectVersion, versionSql } from './version.ts';

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
  /** updated_at in microseconds, as text: the ETag. */
  version: string;
};

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type NewWebhook = { url: string; description: string | null; event_types: string[]; secret: string; enabled: boolean };

const RETURNING = (db: Knex) => ['*', selectVersion(db)];

export async function insertWebhook(db: Knex, webhook: NewWebhook): Promise<WebhookRow> {
  const [row] = await db('webhooks').insert(webhook).returning(RETURNING(db) as unknown as string[]);
  return row as WebhookRow;
}

export async function findWebhook(db: Knex, id: string): Promise<WebhookRow | undefined> {
  if (!UUID.test(id)) return undefined;
  return db('webhooks').select(RETURNING(db)).where({ id }).first();
}

/** Keyset-paginated on (created_at, id); `next` is the position after the page when more follow. */
export async function listWebhooks(db: Knex, options: { limit: number; desc: boolean; after?: Position }): Promise<{ rows: WebhookRow[]; next: Position | null }> {
  const query = keyset(db('webhooks').select(RETURNING(db)), db, { key: 'created_at', kind: 'timestamptz', id: 'id', idType: 'uuid', desc: options.desc }, options.after, options.limit);
  const { rows, next } = pageOf((await query) as Array<WebhookRow & { keyset_key: string }>, options.limit, (row) => row.id);
  return { rows: rows as WebhookRow[], next };
}

export type WebhookChange = Partial<Pick<WebhookRow, 'url' | 'description' | 'event_types' | 'enabled' | 'secret' | 'previous_secret' | 'previous_secret_until'>>;

/**
 * Applies `change` only while the row is still the version the caller saw
 * (its version equal to `ifVersion`, when given), in one statement: two
 * admins never overwrite each other. 'stale' when someone changed it since.
 */
export async function updateWebhook(db: Knex, id: string, change: WebhookChange, ifVersion?: string): Promise<WebhookRow | 'not_found' | 'stale'> {
  if (!UUID.test(id)) return 'not_found';
  const query = db('webhooks')
    .where({ id })
    // A new version every time (milliseconds: the ETag travels through a JavaScript date), even twice in one millisecond.
    .update({ ...change, updated_at: db.raw(`greatest(date_trunc('milliseconds', clock_timestamp()), updated_at + interval '1 millisecond')`) })
    .returning(RETURNING(db) as unknown as string[]);
  if (ifVersion !== undefined) query.andWhereRaw(`${versionSql()} = ?`, [ifVersion]);
  const [row] = (await query) as WebhookRow[];
  if (row) return row;
  return (await findWebhook(db, id)) ? 'stale' : 'not_found';
}

export async function deleteWebhook(db: Knex, id: string, ifVersion?: string): Promise<WebhookRow | 'not_found' | 'stale'> {
  if (!UUID.test(id)) return 'not_found';
  const query = db('webhooks').where({ id }).delete().returning(RETURNING(db) as unknown as string[]);
  if (ifVersion !== undefined) query.andWhereRaw(`${versionSql()} = ?`, [ifVersion]);
  const [row] = (await query) as WebhookRow[];
  if (row) return row;
  return (await findWebhook(db, id)) ? 'stale' : 'not_found';
}

/**
 * Re-wraps every webhook secret (and a previous one still in its grace
 * period) under the newest LATCHKEY_SECRETS entry, with row locks so a
 * rotation meanwhile is not overwritten. The version (ETag) is left alone:
 * nothing an admin sees changed. Returns how many webhooks changed.
 */
export async function reencryptWebhookSecrets(knex: Knex, keyring: Keyring): Promise<{ reencrypted: number; total: number }> {
  return knex.transaction(async (trx) => {
    const rows: Array<Pick<WebhookRow, 'id' | 'secret' | 'previous_secret'>> = await trx('webhooks').select('id', 'secret', 'previous_secret').forUpdate();
    let reencrypted = 0;
    for (const row of rows) {
      const secret = keyring.reencrypt('webhook-secret', row.secret);
      const previous = row.previous_secret ? keyring.reencrypt('webhook-secret', row.previous_secret) : undefined;
      if (secret === undefined && previous === undefined) continue;
      await trx('webhooks').where({ id: row.id }).update({ ...(secret ? { secret } : {}), ...(previous ? { previous_secret: previous } : {}) });
      reencrypted += 1;
    }
    return { reencrypted, total: rows.length };
  });
}
