import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// One table per oidc-provider model (see /docs/data-model.md). Every row keeps
// the model's full payload; the typed columns are what operators and the purge
// job query. Ids are oidc-provider's own (text). user_id is oidc-provider's
// accountId as text, not a foreign key: client-credential tokens have none.

const clientFk = 'text not null references clients (id) on delete cascade';

type ModelTable = { table: string; columns: string[]; indexes: string[] };

const models: ModelTable[] = [
  {
    table: 'authorization_codes',
    columns: ['grant_id text', `client_id ${clientFk}`, 'user_id text', 'scope text', 'consumed_at timestamptz'],
    indexes: ['grant_id', 'client_id', 'user_id'],
  },
  {
    table: 'access_tokens',
    columns: ['grant_id text', `client_id ${clientFk}`, 'user_id text', 'scope text', 'revoked_at timestamptz'],
    indexes: ['grant_id', 'client_id', 'user_id'],
  },
  {
    table: 'refresh_tokens',
    columns: [
      'grant_id text',
      `client_id ${clientFk}`,
      'user_id text',
      'scope text',
      'consumed_at timestamptz',
      'revoked_at timestamptz',
    ],
    indexes: ['grant_id', 'client_id', 'user_id'],
  },
  {
    table: 'device_codes',
    columns: [
      'grant_id text',
      `client_id ${clientFk}`,
      'user_id text',
      'scope text',
      'user_code text not null',
      'consumed_at timestamptz',
      'revoked_at timestamptz',
      'constraint device_codes_user_code_key unique (user_code)',
    ],
    indexes: ['grant_id', 'client_id', 'user_id'],
  },
  {
    table: 'client_credentials',
    columns: [`client_id ${clientFk}`, 'scope text', 'revoked_at timestamptz'],
    indexes: ['client_id'],
  },
  {
    table: 'grants',
    columns: [`client_id ${clientFk}`, 'user_id text', 'revoked_at timestamptz'],
    indexes: ['client_id', 'user_id'],
  },
  {
    // Browser sessions, with seed 004's columns for the "your sessions" page.
    table: 'sessions',
    columns: [
      'uid text not null',
      // Null until the browser signs in; the adapter writes it only when accountId is a uuid.
      'user_id uuid references users (id) on delete cascade',
      "status text not null default 'active'",
      'user_agent text',
      'ip text',
      'browser text',
      'os text',
      'device text',
      'location_country text',
      'location_city text',
      'location_timezone text',
      'last_activity_at timestamptz not null default now()',
      'revoked_at timestamptz',
      'revoked_reason text',
      'metadata jsonb',
      'constraint sessions_uid_key unique (uid)',
    ],
    indexes: ['user_id', 'status'],
  },
  { table: 'interactions', columns: [], indexes: [] },
  {
    table: 'pushed_authorization_requests',
    columns: [`client_id ${clientFk}`, 'consumed_at timestamptz'],
    indexes: ['client_id'],
  },
  // DPoP proofs and client assertions: a jti seen once is rejected for its lifetime.
  { table: 'replay_detections', columns: [], indexes: [] },
  {
    // Not tied to a client: it is what a client uses to register itself.
    table: 'initial_access_tokens',
    columns: ['client_id text', 'revoked_at timestamptz'],
    indexes: [],
  },
  {
    table: 'registration_access_tokens',
    columns: [`client_id ${clientFk}`, 'revoked_at timestamptz'],
    indexes: ['client_id'],
  },
];

function createStatements({ table, columns, indexes }: ModelTable): string[] {
  const all = [
    'id text primary key',
    'payload jsonb not null',
    'expires_at timestamptz',
    'created_at timestamptz not null default now()',
    ...columns,
  ];
  return [
    `create table ${table} (\n    ${all.join(',\n    ')}\n  )`,
    // Every model table is swept by the purge job on expires_at.
    ...['expires_at', ...indexes].map((column) => `create index ${table}_${column}_index on ${table} (${column})`),
  ];
}

export default {
  name: '20261124000003_oidc_models',
  up: (knex) => runStatements(knex, models.flatMap(createStatements)),
  down: (knex) => runStatements(knex, [...models].reverse().map(({ table }) => `drop table ${table}`)),
} satisfies Migration;
