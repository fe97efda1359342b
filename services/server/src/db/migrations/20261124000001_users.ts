import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// People who sign in. Union of seeds 000, 001 and 004 (see docs/data-model.md).
const up = [
  `create table users (
    id uuid primary key default gen_random_uuid(),
    username text,
    -- Seed 001's username_fingerprint as text: generated, so no writer can forget it.
    -- NFKC folds look-alike compatibility forms, lower() folds case.
    username_normalized text generated always as (lower(normalize(username, NFKC))) stored,
    email text,
    email_verified boolean not null default false,
    email_verified_at timestamptz,
    phone text,
    phone_verified boolean not null default false,
    phone_verified_at timestamptz,
    first_name text,
    last_name text,
    display_name text,
    avatar_url text,
    avatar_key text,
    avatar_size integer,
    avatar_mime_type text,
    status text not null default 'active',
    role text not null default 'user',
    scopes text[] not null default '{}',
    password_hash text,
    totp_enabled boolean not null default false,
    -- Encrypted with Keyring purpose 'totp-secret'.
    totp_secret text,
    -- Last accepted TOTP time step: a code is accepted only for a later step (no replay).
    totp_last_step bigint,
    -- Failed sign-in counter and lockout, decided in Postgres so every replica agrees.
    failed_sign_in_count integer not null default 0,
    locked_until timestamptz,
    metadata jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    last_login_at timestamptz,
    deleted_at timestamptz,
    constraint users_status_check check (status in ('active', 'blocked', 'deleted')),
    constraint users_deleted_at_check check (status <> 'deleted' or deleted_at is not null),
    constraint users_totp_check check (not totp_enabled or totp_secret is not null),
    constraint users_avatar_size_check check (avatar_size is null or avatar_size >= 0),
    constraint users_failed_sign_in_count_check check (failed_sign_in_count >= 0)
  )`,
  `create unique index users_username_normalized_key on users (username_normalized)`,
  // Look up and compare emails with lower(email) so this index serves the query.
  `create unique index users_email_lower_key on users (lower(email))`,
  `create index users_phone_index on users (phone)`,
  `create index users_status_index on users (status)`,
  `create index users_created_at_index on users (created_at)`,
];

const down = [`drop table users`];

export default {
  name: '20261124000001_users',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
