import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// Personal API tokens (seed 001). Tokens belong to an owner rather than a user
// directly, so a non-user principal can own tokens later without reshaping them.
const up = [
  `create table api_token_owners (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    constraint api_token_owners_user_id_key unique (user_id)
  )`,
  `create table api_tokens (
    id uuid primary key default gen_random_uuid(),
    owner_id uuid not null references api_token_owners (id) on delete cascade,
    name text not null,
    -- Keyed hash (Keyring.hash) of the token; the token is shown once.
    token_hash text not null,
    -- The token's first characters, shown in lists so people can tell tokens apart.
    token_prefix text not null,
    scopes text[] not null default '{}',
    created_at timestamptz not null default now(),
    expires_at timestamptz,
    last_used_at timestamptz,
    blocked boolean not null default false,
    revoked_at timestamptz,
    constraint api_tokens_token_hash_key unique (token_hash),
    constraint api_tokens_owner_id_name_key unique (owner_id, name)
  )`,
  `create index api_tokens_expires_at_index on api_tokens (expires_at)`,
];

const down = [`drop table api_tokens`, `drop table api_token_owners`];

export default {
  name: '20261124000005_api_tokens',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
