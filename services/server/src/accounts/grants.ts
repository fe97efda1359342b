import type { Knex } from 'knex';
import { keyset, pageOf, type Position } from '../db/keyset.ts';
import { revokeGrant } from '../db/oidc-models.ts';
import { recordActorEvent, type Actor } from '../events/actor.ts';

/**
 * What users allowed apps to do (oidc-provider's Grant rows), listed and
 * revoked one by one. Revoking a user's grants in bulk is in status.ts
 * (`revokeGrants`), which the CLI's `grants revoke` and the admin API share.
 */

export type GrantSummary = {
  id: string;
  user_id: string | null;
  client_id: string;
  scopes: string[];
  /** Per API resource (RFC 8707 identifier) the scopes granted for it. */
  resources: Record<string, string[]>;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
};

type GrantRow = Omit<GrantSummary, 'scopes' | 'resources'> & { payload: { openid?: { scope?: unknown }; resources?: Record<string, unknown> } };

const words = (value: unknown) => (typeof value === 'string' ? value.split(' ').filter(Boolean) : []);

const summary = ({ payload, ...row }: GrantRow): GrantSummary => ({
  ...row,
  scopes: words(payload.openid?.scope),
  resources: Object.fromEntries(Object.entries(payload.resources ?? {}).map(([resource, scope]) => [resource, words(scope)])),
});

export type GrantFilter = { userId?: string; clientId?: string; status: 'active' | 'all'; sort: 'created_at' | '-created_at' };

const LIVE = (q: Knex.QueryBuilder, knex: Knex) => q.whereNull('revoked_at').andWhere((w) => w.whereNull('expires_at').orWhere('expires_at', '>', knex.fn.now()));

export async function listGrants(knex: Knex, filter: GrantFilter, page: { limit: number; after?: Position }): Promise<{ items: GrantSummary[]; next: Position | null }> {
  const query = knex('grants').select('id', 'user_id', 'client_id', 'payload', 'created_at', 'expires_at', 'revoked_at');
  if (filter.userId) query.where({ user_id: filter.userId });
  if (filter.clientId) query.where({ client_id: filter.clientId });
  if (filter.status === 'active') LIVE(query, knex);
  keyset(query, knex, { key: 'created_at', kind: 'timestamptz', id: 'id', idType: 'text', desc: filter.sort === '-created_at' }, page.after, page.limit);
  const { rows, next } = pageOf((await query) as Array<GrantRow & { keyset_key: string }>, page.limit, (row) => row.id);
  return { items: rows.map(summary), next };
}

export async function findGrant(knex: Knex, id: string): Promise<GrantSummary | undefined> {
  const row = (await knex('grants').select('id', 'user_id', 'client_id', 'payload', 'created_at', 'expires_at', 'revoked_at').where({ id }).first()) as GrantRow | undefined;
  return row ? summary(row) : undefined;
}

/**
 * Revokes one grant with everything it issued (tokens, codes), with its
 * `grant.revoked` event in the same transaction. `revoked`: it already was.
 */
export async function revokeGrantById(
  deps: { knex: Knex },
  grantId: string,
  options: { actor: Actor; reason?: string },
): Promise<{ ok: true } | { ok: false; problem: 'not_found' | 'revoked' }> {
  return deps.knex.transaction(async (trx) => {
    const revoked = await revokeGrant(trx, grantId);
    if (!revoked) return { ok: false, problem: (await trx('grants').where({ id: grantId }).first('id')) ? 'revoked' : 'not_found' };
    await recordActorEvent(trx, options.actor, {
      type: 'grant.revoked',
      ...(revoked.userId ? { subjectUserId: revoked.userId } : { subject: { type: 'grant', id: revoked.grantId } }),
      clientId: revoked.clientId ?? undefined,
      data: { grantId: revoked.grantId, grants: 1, ...(options.reason ? { reason: options.reason.slice(0, 200) } : {}) },
    });
    return { ok: true };
  });
}
