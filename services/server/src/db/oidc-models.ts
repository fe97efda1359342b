import type { Knex } from 'knex';

/**
 * Storage of oidc-provider's models: one table per model (migration
 * 20261124000003), the whole payload in jsonb plus the typed columns operators
 * and the purge job query. Every function here is exactly one SQL statement,
 * so each adapter call is one database round trip.
 */

export type ModelPayload = Record<string, unknown>;

export type ModelName =
  | 'AuthorizationCode'
  | 'AccessToken'
  | 'RefreshToken'
  | 'DeviceCode'
  | 'ClientCredentials'
  | 'Grant'
  | 'Session'
  | 'Interaction'
  | 'PushedAuthorizationRequest'
  | 'ReplayDetection'
  | 'InitialAccessToken'
  | 'RegistrationAccessToken';

/** Which typed columns a model table has besides id, payload, expires_at and created_at. */
export type ModelTable = Readonly<{
  table: string;
  grantId?: true;
  clientId?: true;
  /** 'text' = oidc-provider's accountId as is; 'session' = users.id uuid or null. */
  userId?: 'text' | 'session';
  scope?: true;
  userCode?: true;
  uid?: true;
  consumedAt?: true;
  revokedAt?: true;
}>;

export const modelTables: Readonly<Record<ModelName, ModelTable>> = {
  AuthorizationCode: { table: 'authorization_codes', grantId: true, clientId: true, userId: 'text', scope: true, consumedAt: true },
  AccessToken: { table: 'access_tokens', grantId: true, clientId: true, userId: 'text', scope: true, revokedAt: true },
  RefreshToken: {
    table: 'refresh_tokens',
    grantId: true,
    clientId: true,
    userId: 'text',
    scope: true,
    consumedAt: true,
    revokedAt: true,
  },
  DeviceCode: {
    table: 'device_codes',
    grantId: true,
    clientId: true,
    userId: 'text',
    scope: true,
    userCode: true,
    consumedAt: true,
    revokedAt: true,
  },
  ClientCredentials: { table: 'client_credentials', clientId: true, scope: true, revokedAt: true },
  Grant: { table: 'grants', clientId: true, userId: 'text', revokedAt: true },
  Session: { table: 'sessions', uid: true, userId: 'session', revokedAt: true },
  Interaction: { table: 'interactions' },
  PushedAuthorizationRequest: { table: 'pushed_authorization_requests', clientId: true, consumedAt: true },
  ReplayDetection: { table: 'replay_detections' },
  InitialAccessToken: { table: 'initial_access_tokens', clientId: true, revokedAt: true },
  RegistrationAccessToken: { table: 'registration_access_tokens', clientId: true, revokedAt: true },
};

export const isModelName = (name: string): name is ModelName => Object.hasOwn(modelTables, name);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const text = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

/**
 * A pushed authorization request keeps its client only inside the stored
 * request object (a JWT oidc-provider already validated): client_id, else iss.
 */
function clientIdOfRequestObject(request: unknown): string | null {
  if (typeof request !== 'string') return null;
  const claims = request.split('.')[1];
  if (!claims) return null;
  try {
    const { client_id, iss } = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown>;
    return text(client_id) ?? text(iss);
  } catch {
    return null;
  }
}

type Binding = string | number | null;

/** A typed column: which tables have it, its insert expression, its value from the payload. */
type TypedColumn = Readonly<{
  name: string;
  has: (spec: ModelTable) => boolean;
  value: string;
  from: (payload: ModelPayload) => Binding;
  /** How a re-save merges it; default: take the new value. */
  onConflict?: (table: string) => string;
}>;

const accountUuid = (payload: ModelPayload) => {
  const accountId = text(payload.accountId);
  return accountId && UUID.test(accountId) ? accountId : null;
};

// Revocation and consumption are sticky: a re-save never clears them.
const TYPED_COLUMNS: readonly TypedColumn[] = [
  { name: 'grant_id', has: (s) => !!s.grantId, value: '?', from: (p) => text(p.grantId) },
  {
    name: 'client_id',
    has: (s) => !!s.clientId,
    value: '?',
    from: (p) => text(p.clientId) ?? clientIdOfRequestObject(p.request),
  },
  { name: 'user_id', has: (s) => s.userId === 'text', value: '?', from: (p) => text(p.accountId) },
  // Sessions point at users; an accountId that is not (or no longer) a user stays null.
  { name: 'user_id', has: (s) => s.userId === 'session', value: '(select id from users where id = ?::uuid)', from: accountUuid },
  { name: 'scope', has: (s) => !!s.scope, value: '?', from: (p) => text(p.scope) },
  { name: 'user_code', has: (s) => !!s.userCode, value: '?', from: (p) => text(p.userCode) },
  { name: 'uid', has: (s) => !!s.uid, value: '?', from: (p) => text(p.uid) },
  {
    // A re-saved model may carry `consumed` (epoch seconds).
    name: 'consumed_at',
    has: (s) => !!s.consumedAt,
    value: 'to_timestamp(?::float8)',
    from: (p) => (typeof p.consumed === 'number' ? p.consumed : p.consumed ? Date.now() / 1000 : null),
    onConflict: (t) => `coalesce(${t}.consumed_at, excluded.consumed_at)`,
  },
  {
    // A token saved under an already revoked grant is born revoked (closes the
    // race with a parallel reuse detection that revoked the grant a moment earlier).
    name: 'revoked_at',
    has: (s) => !!s.revokedAt && !!s.grantId,
    value: '(select now() from grants where grants.id = ? and grants.revoked_at is not null)',
    from: (p) => text(p.grantId),
    onConflict: (t) => `coalesce(${t}.revoked_at, excluded.revoked_at)`,
  },
];

const columnsOf = (spec: ModelTable) => TYPED_COLUMNS.filter((column) => column.has(spec));

const sqlCache = new Map<string, string>();
function cached(key: string, build: () => string): string {
  let sql = sqlCache.get(key);
  if (sql === undefined) {
    sql = build();
    sqlCache.set(key, sql);
  }
  return sql;
}

function upsertSql(spec: ModelTable, rows = 1): string {
  const t = spec.table;
  const columns = columnsOf(spec);
  const names = ['id', 'payload', 'expires_at', ...columns.map((c) => c.name)];
  const values = ['?', '?::jsonb', `now() + ?::float8 * interval '1 second'`, ...columns.map((c) => c.value)];
  const updates = [
    'payload = excluded.payload',
    'expires_at = excluded.expires_at',
    ...columns.map((c) => `${c.name} = ${c.onConflict ? c.onConflict(t) : `excluded.${c.name}`}`),
    ...(spec.uid ? ['last_activity_at = now()'] : []),
  ];
  const row = `(${values.join(', ')})`;
  return `insert into ${t} (${names.join(', ')}) values ${Array(rows).fill(row).join(', ')}
    on conflict (id) do update set ${updates.join(', ')}`;
}

export type ModelWrite = { id: string; payload: ModelPayload; expiresIn: number | undefined };

const upsertBindings = (spec: ModelTable, { id, payload, expiresIn }: ModelWrite): Binding[] => [
  id,
  JSON.stringify(payload),
  typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? expiresIn : null,
  ...columnsOf(spec).map((column) => column.from(payload)),
];

export async function upsertModel(knex: Knex, spec: ModelTable, write: ModelWrite): Promise<void> {
  const sql = cached(`upsert:${spec.table}`, () => upsertSql(spec));
  await knex.raw(sql, upsertBindings(spec, write));
}

/**
 * Several rows in one statement (one commit). Postgres refuses to write one
 * row twice in one INSERT … ON CONFLICT, so a batch naming an id twice is
 * refused here and written row by row in order (src/db/turn-batch.ts).
 */
export async function upsertModels(knex: Knex, spec: ModelTable, writes: readonly ModelWrite[]): Promise<void> {
  if (new Set(writes.map((w) => w.id)).size !== writes.length) throw new Error('one id twice in a batch');
  await knex.raw(upsertSql(spec, writes.length), writes.flatMap((write) => upsertBindings(spec, write)));
}

// `consumed` (epoch seconds) is how oidc-provider detects a second redemption.
const payloadWithConsumed = `case when consumed_at is null then payload
  else payload || jsonb_build_object('consumed', floor(extract(epoch from consumed_at))::bigint) end`;

function findSql(spec: ModelTable, column: string, many?: 'many'): string {
  return `select ${many ? `'${spec.table}' as t, id, ` : ''}${spec.consumedAt ? payloadWithConsumed : 'payload'} as payload from ${spec.table}
    where ${column} ${many ? '= any(?::text[])' : '= ?'} and (expires_at is null or expires_at > now())${spec.revokedAt ? ' and revoked_at is null' : ''}`;
}

/** A live row's payload: undefined when missing, expired or revoked. Consumed rows are returned with `consumed`. */
export async function findModel(
  knex: Knex,
  spec: ModelTable,
  id: string,
  by: 'id' | 'user_code' | 'uid' = 'id',
): Promise<ModelPayload | undefined> {
  if (by === 'user_code' && !spec.userCode) throw new Error(`${spec.table} has no user_code`);
  if (by === 'uid' && !spec.uid) throw new Error(`${spec.table} has no uid`);
  const sql = cached(`find:${spec.table}:${by}`, () => findSql(spec, by));
  const { rows } = (await knex.raw(sql, [id])) as { rows: Array<{ payload: ModelPayload }> };
  return rows[0]?.payload;
}

export type ModelLookup = { spec: ModelTable; id: string };

/**
 * Live rows by id, from any number of model tables, in one statement (one
 * select per table, joined by UNION ALL): the payload for each lookup, or
 * undefined where there is none. oidc-provider looks an introspected or
 * revoked token up in three tables at once; this is one round trip for them.
 */
export async function findModels(knex: Knex, lookups: readonly ModelLookup[]): Promise<Array<ModelPayload | undefined>> {
  const byTable = new Map<string, { spec: ModelTable; ids: string[] }>();
  for (const { spec, id } of lookups) {
    const entry = byTable.get(spec.table);
    if (entry) entry.ids.push(id);
    else byTable.set(spec.table, { spec, ids: [id] });
  }
  const tables = [...byTable.values()].sort((a, b) => a.spec.table.localeCompare(b.spec.table));
  const sql = cached(`find-many:${tables.map((t) => t.spec.table).join(',')}`, () => tables.map((t) => findSql(t.spec, 'id', 'many')).join('\n    union all\n    '));
  const { rows } = (await knex.raw(sql, tables.map((t) => t.ids))) as { rows: Array<{ t: string; id: string; payload: ModelPayload }> };
  const found = new Map(rows.map((r) => [`${r.t} ${r.id}`, r.payload]));
  return lookups.map(({ spec, id }) => found.get(`${spec.table} ${id}`));
}

export async function destroyModel(knex: Knex, spec: ModelTable, id: string): Promise<void> {
  await knex.raw(`delete from ${spec.table} where id = ?`, [id]);
}

// The tables holding what a grant issued. Authorization codes have no
// revoked_at (they live a minute): revoking one deletes it.
//
// Lock order: every statement that consumes or revokes first locks the
// grants rows it concerns (sorted), then touches their tokens. Without it,
// parallel reuse detections each locked some tokens and waited for the
// others' (a Postgres deadlock, answered 500); now they queue on the grant.
// FOR NO KEY UPDATE does not block inserts of new tokens (no foreign key to
// grants anyway) nor readers.

/** `match` completes `id …` / `grant_id …`: `= ?`, `= (subquery)` or `in (subquery)`. */
function lockGrantsCtes(match: string): string {
  return [
    `locked_grants as (select id from grants where id ${match} order by id for no key update)`,
    // One row always; the token CTEs test it, so the locks above come first.
    `grants_locked as (select count(*) from locked_grants)`,
  ].join(',\n');
}

const AFTER_LOCK = 'exists (select 1 from grants_locked)';

/** How many times a revoking statement repeats its `match` bindings. */
const REVOKE_MATCHES = 6;

function revokeGrantCtes(match: string): string {
  return [
    `revoked_access as (update access_tokens set revoked_at = now() where grant_id ${match} and revoked_at is null and ${AFTER_LOCK} returning 1)`,
    `revoked_refresh as (update refresh_tokens set revoked_at = now() where grant_id ${match} and revoked_at is null and ${AFTER_LOCK} returning 1)`,
    `revoked_codes as (delete from authorization_codes where grant_id ${match} and ${AFTER_LOCK} returning 1)`,
    `revoked_devices as (update device_codes set revoked_at = now() where grant_id ${match} and revoked_at is null and ${AFTER_LOCK} returning 1)`,
    `revoked_grant as (update grants set revoked_at = now() where id ${match} and revoked_at is null and ${AFTER_LOCK}
      returning id, client_id, user_id)`,
  ].join(',\n');
}

/** A grant this statement revoked (not one revoked earlier): what an audit event names. */
export type RevokedGrant = { grantId: string; clientId: string | null; userId: string | null };

type RevokedGrantRow = { id: string; client_id: string | null; user_id: string | null };
const toRevokedGrant = (row: RevokedGrantRow | undefined): RevokedGrant | undefined =>
  row?.id ? { grantId: row.id, clientId: row.client_id, userId: row.user_id } : undefined;

/**
 * Whether a grant still stands (not revoked, destroyed by a logout, or
 * expired). JWT access tokens are not stored, so this is how their
 * revocation is seen: they name their grant (configuration.ts extraTokenClaims).
 */
export async function grantIsLive(knex: Knex, grantId: string): Promise<boolean> {
  const row = await knex('grants')
    .where({ id: grantId })
    .whereNull('revoked_at')
    .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', knex.fn.now()))
    .first('id');
  return row !== undefined;
}

/** Revokes everything a grant issued, and the grant itself, in one statement. Returns the grant when this call revoked it. */
export async function revokeGrant(knex: Knex, grantId: string): Promise<RevokedGrant | undefined> {
  const sql = cached('revoke', () => `with ${lockGrantsCtes('= ?')},\n${revokeGrantCtes('= ?')}
    select id, client_id, user_id from revoked_grant`);
  const { rows } = (await knex.raw(sql, Array(REVOKE_MATCHES).fill(grantId))) as { rows: RevokedGrantRow[] };
  return toRevokedGrant(rows[0]);
}

/**
 * Revokes every grant a user holds (or holds at one client), with all it
 * issued, in one statement. Returns how many grants it revoked.
 */
export async function revokeUserGrants(knex: Knex, userId: string, clientId?: string): Promise<number> {
  const match = 'in (select id from grants where user_id = ? and (?::text is null or client_id = ?))';
  const sql = cached('revoke-user', () => `with ${lockGrantsCtes(match)},\n${revokeGrantCtes(match)} select count(*)::int as grants from revoked_grant`);
  const bindings = [userId, clientId ?? null, clientId ?? null];
  const { rows } = (await knex.raw(sql, Array.from({ length: REVOKE_MATCHES }, () => bindings).flat())) as { rows: Array<{ grants: number }> };
  return rows[0]?.grants ?? 0;
}

function consumeSql(spec: ModelTable): string {
  const t = spec.table;
  const unclaimed = `id = ? and consumed_at is null${spec.revokedAt ? ' and revoked_at is null' : ''}`;
  if (!spec.grantId) {
    return `with claimed as (update ${t} set consumed_at = now() where ${unclaimed} returning id)
    select count(*)::int as claimed from claimed`;
  }
  // The grant is locked before the claim (see lockGrantsCtes). When the claim
  // loses (already consumed, revoked or gone), the same statement revokes the
  // grant: a code or refresh token redeemed twice means it leaked.
  return `with target as (select grant_id from ${t} where id = ?),
${lockGrantsCtes('= (select grant_id from target)')},
claimed as (update ${t} set consumed_at = now() where ${unclaimed} and ${AFTER_LOCK} returning id),
reused as (select grant_id from target where grant_id is not null and not exists (select 1 from claimed)),
${revokeGrantCtes('= (select grant_id from reused)')}
    select c.claimed, g.id, g.client_id, g.user_id
    from (select count(*)::int as claimed from claimed) c left join revoked_grant g on true`;
}

export type Consumed = { claimed: boolean; revokedGrant?: RevokedGrant };

/**
 * Marks a row consumed if nobody did before. `claimed` is false when it was
 * already consumed, revoked or missing; for grant-bearing models the grant has
 * then been revoked by the same statement (`revokedGrant`, unless an earlier
 * statement had revoked it).
 */
export async function consumeModel(knex: Knex, spec: ModelTable, id: string): Promise<Consumed> {
  if (!spec.consumedAt) throw new Error(`${spec.table} cannot be consumed`);
  const sql = cached(`consume:${spec.table}`, () => consumeSql(spec));
  const { rows } = (await knex.raw(sql, spec.grantId ? [id, id] : [id])) as { rows: Array<{ claimed: number } & Partial<RevokedGrantRow>> };
  const row = rows[0];
  return { claimed: row?.claimed === 1, revokedGrant: toRevokedGrant(row as RevokedGrantRow | undefined) };
}

/**
 * Stores a ReplayDetection row only if no live one has the id (an expired one
 * is replaced), in one statement: true for the first sighting of a jti, false
 * for a replay, even when two requests race. oidc-provider's own
 * ReplayDetection.unique is find-then-save, which lets a parallel replay through.
 */
export async function claimReplay(knex: Knex, id: string, payload: ModelPayload, expiresIn: number): Promise<boolean> {
  const { rows } = (await knex.raw(
    `insert into replay_detections (id, payload, expires_at)
      values (?, ?::jsonb, now() + ?::float8 * interval '1 second')
      on conflict (id) do update set payload = excluded.payload, expires_at = excluded.expires_at, created_at = now()
        where replay_detections.expires_at <= now()
      returning id`,
    [id, JSON.stringify(payload), expiresIn],
  )) as { rows: unknown[] };
  return rows.length === 1;
}
