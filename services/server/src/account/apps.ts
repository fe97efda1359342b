import { revokeOwnGrants } from '../accounts/status.ts';
import type { AccountActor, AccountDeps } from './deps.ts';
import { AccountError } from './errors.ts';

/**
 * Connected apps: the clients the owner has granted access to, one entry
 * per client (a client may hold several grants, e.g. one per browser
 * session), with the OpenID scopes, the API resources and their scopes, and
 * when access was first and last granted. Revoking an app is
 * accounts/status.ts's revokeOwnGrants: the grants and every token and code
 * they issued, with a `grant.revoked` event.
 */

export type ConnectedApp = {
  client_id: string;
  client_name: string | null;
  scopes: string[];
  resources: Array<{ resource: string; scopes: string[] }>;
  first_granted_at: Date;
  last_granted_at: Date;
  expires_at: Date | null;
};

type GrantRow = { client_id: string; client_name: string | null; payload: Record<string, unknown>; created_at: Date; expires_at: Date | null };

const words = (value: unknown): string[] => (typeof value === 'string' ? value.split(' ').filter(Boolean) : []);
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

async function liveGrants(deps: Pick<AccountDeps, 'db'>, userId: string, clientId?: string): Promise<GrantRow[]> {
  const knex = deps.db.knex;
  const query = knex('grants as g')
    .leftJoin('clients as c', 'c.id', 'g.client_id')
    .select('g.client_id', 'c.name as client_name', 'g.payload', 'g.created_at', 'g.expires_at')
    .where('g.user_id', userId)
    .whereNotNull('g.client_id')
    .whereNull('g.revoked_at')
    .andWhere((q) => q.whereNull('g.expires_at').orWhere('g.expires_at', '>', knex.fn.now()))
    .orderBy('g.created_at');
  if (clientId !== undefined) query.where('g.client_id', clientId);
  return query as Promise<GrantRow[]>;
}

export async function listApps(deps: Pick<AccountDeps, 'db'>, userId: string): Promise<ConnectedApp[]> {
  const byClient = new Map<string, { row: GrantRow; scopes: Set<string>; resources: Map<string, Set<string>>; first: Date; last: Date; expires: Date | null }>();
  for (const row of await liveGrants(deps, userId)) {
    const entry = byClient.get(row.client_id) ?? { row, scopes: new Set(), resources: new Map(), first: row.created_at, last: row.created_at, expires: row.expires_at };
    const openid = row.payload.openid as { scope?: unknown } | undefined;
    for (const scope of words(openid?.scope)) entry.scopes.add(scope);
    const resources = row.payload.resources;
    if (resources && typeof resources === 'object') {
      for (const [resource, scope] of Object.entries(resources as Record<string, unknown>)) {
        const set = entry.resources.get(resource) ?? new Set<string>();
        for (const word of words(scope)) set.add(word);
        entry.resources.set(resource, set);
      }
    }
    if (row.created_at < entry.first) entry.first = row.created_at;
    if (row.created_at > entry.last) entry.last = row.created_at;
    // A grant without expiry keeps the app connected indefinitely.
    entry.expires = entry.expires === null || row.expires_at === null ? null : row.expires_at > entry.expires ? row.expires_at : entry.expires;
    byClient.set(row.client_id, entry);
  }
  return [...byClient.values()].map((entry) => ({
    client_id: entry.row.client_id,
    client_name: entry.row.client_name,
    scopes: sorted(entry.scopes),
    resources: [...entry.resources.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([resource, scopes]) => ({ resource, scopes: sorted(scopes) })),
    first_granted_at: entry.first,
    last_granted_at: entry.last,
    expires_at: entry.expires,
  }));
}

/** Disconnects an app: 404 when the owner has no live grant at that client. Returns how many grants went. */
export async function revokeApp(deps: Pick<AccountDeps, 'db'>, actor: AccountActor, clientId: string): Promise<{ grants_revoked: number }> {
  if (!(await liveGrants(deps, actor.userId, clientId)).length) throw new AccountError('not_found', 'no such connected app');
  const revoked = await revokeOwnGrants({ knex: deps.db.knex }, actor.userId, { clientId, ip: actor.ip, userAgent: actor.userAgent });
  return { grants_revoked: revoked };
}
