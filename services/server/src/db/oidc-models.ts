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

function upsertSql(spec: ModelTable): string {
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
  return `insert into ${t} (${names.join(', ')}) values (${values.join(', ')})
    on conflict (id) do update set ${updates.join(', ')}`;
}

export async function upsertModel(
  knex: Knex,
  spec: ModelTable,
  id: string,
  payload: ModelPayload,
  expiresIn: number | undefined,
): Promise<void> {
  const sql = cached(`upsert:${spec.table}`, () => upsertSql(spec));
  const ttl = typeof expiresIn === 'number' && Number.isFinite(expiresIn) ? expiresIn : null;
  await knex.raw(sql, [id, JSON.stringify(payload), ttl, ...columnsOf(spec).map((column) => column.from(payload))]);
}

// `consumed` (epoch seconds) is how oidc-provider detects a second redemption.
const payloadWithConsumed = `case when consumed_at is null then payload
  else payload || jsonb_build_object('consumed', floor(extract(epoch from consumed_at))::bigint) end`;

function findSql(spec: ModelTable, column: string): string {
  return `select ${spec.consumedAt ? payloadWithConsumed : 'payload'} as payload from ${spec.table}
    where ${column} = ? and (expires_at is null or expires_at > now())${spec.revokedAt ? ' and revoked_at is null' : ''}`;
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

export async function destroyModel(knex: Knex, spec: ModelTable, id: string): Promise<void> {
  await knex.raw(`delete from ${spec.table} where id = ?`, [id]);
}

// The tables holding what a grant issued. Authorization codes have no
// revoked_at (they live a minute): revoking one deletes it.
/** `match` completes `grant_id …`: `= ?`, `= (subquery)` or `in (subquery)`. */
function revokeGrantCtes(match: string): string {
  return [
    `revoked_access as (update access_tokens set revoked_at = now() where grant_id ${match} and revoked_at is null returning 1)`,
    `revoked_refresh as (update refresh_tokens set revoked_at = now() where grant_id ${match} and revoked_at is null returning 1)`,
    `revoked_codes as (delete from authorization_codes where grant_id ${match} returning 1)`,
    `revoked_devices as (update device_codes set revoked_at = now() where grant_id ${match} and revoked_at is null returning 1)`,
    `revoked_grant as (update grants set revoked_at = now() where id ${match} and revoked_at is null returning 1)`,
  ].join(',\n');
}

/** Revokes everything a grant issued, and the grant itself, in one statement. */
export async function revokeGrant(knex: Knex, grantId: string): Promise<void> {
  const sql = cached('revoke', () => `with ${revokeGrantCtes('= ?')} select 1`);
  await knex.raw(sql, [grantId, grantId, grantId, grantId, grantId]);
}

/** Revokes every grant a user holds, with all it issued (after a password reset), in one statement. */
export async function revokeUserGrants(knex: Knex, userId: string): Promise<void> {
  const sql = cached('revoke-user', () => `with ${revokeGrantCtes('in (select id from grants where user_id = ?)')} select 1`);
  await knex.raw(sql, [userId, userId, userId, userId, userId]);
}

function consumeSql(spec: ModelTable): string {
  const t = spec.table;
  const claim = `claimed as (update ${t} set consumed_at = now()
    where id = ? and consumed_at is null${spec.revokedAt ? ' and revoked_at is null' : ''} returning id)`;
  if (!spec.grantId) return `with ${claim} select count(*)::int as claimed from claimed`;
  // When the claim loses (already consumed, revoked or gone), the same statement
  // revokes the grant: a code or refresh token redeemed twice means it leaked.
  const reused = `reused as (select grant_id from ${t}
    where id = ? and grant_id is not null and not exists (select 1 from claimed))`;
  return `with ${claim},\n${reused},\n${revokeGrantCtes('= (select grant_id from reused)')}
    select count(*)::int as claimed from claimed`;
}

/**
 * Marks a row consumed if nobody did before. Returns false when it was already
 * consumed, revoked or missing; for grant-bearing models the grant has then
 * been revoked by the same statement.
 */
export async function consumeModel(knex: Knex, spec: ModelTable, id: string): Promise<boolean> {
  if (!spec.consumedAt) throw new Error(`${spec.table} cannot be consumed`);
  const sql = cached(`consume:${spec.table}`, () => consumeSql(spec));
  const { rows } = (await knex.raw(sql, spec.grantId ? [id, id] : [id])) as { rows: Array<{ claimed: number }> };
  return rows[0]?.claimed === 1;
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
