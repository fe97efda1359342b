import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// Relying parties, the APIs they call, consent scopes and our signing keys.
const up = [
  // oidc-provider's Client model is read from here; rare RFC 7591 fields live in metadata.
  `create table clients (
    id text primary key,
    name text not null,
    -- HMAC-SHA-256 of the secret (Keyring.hash); null means a public client.
    secret_hash text,
    redirect_uris text[] not null default '{}',
    post_logout_redirect_uris text[] not null default '{}',
    grant_types text[] not null,
    response_types text[] not null,
    scope text not null default '',
    token_endpoint_auth_method text not null,
    first_party boolean not null default false,
    metadata jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint clients_name_key unique (name),
    -- A client that authenticates with a secret must have one.
    constraint clients_secret_check check (
      secret_hash is not null or token_endpoint_auth_method not in ('client_secret_basic', 'client_secret_post', 'client_secret_jwt')
    )
  )`,
  // APIs that receive JWT access tokens (RFC 8707 resource indicators).
  `create table api_resources (
    id uuid primary key default gen_random_uuid(),
    identifier text not null,
    name text,
    scopes text[] not null default '{}',
    access_token_ttl integer not null default 3600,
    signing_alg text not null default 'RS256',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint api_resources_identifier_key unique (identifier),
    constraint api_resources_access_token_ttl_check check (access_token_ttl > 0)
  )`,
  // Scope strings with the description shown on the consent page.
  `create table scopes (
    name text primary key,
    description text not null,
    created_at timestamptz not null default now()
  )`,
  `create table signing_keys (
    kid text primary key,
    alg text not null,
    -- Encrypted with Keyring purpose 'signing-key'.
    private_jwk text not null,
    public_jwk jsonb not null,
    status text not null,
    created_at timestamptz not null default now(),
    activates_at timestamptz not null,
    retired_at timestamptz,
    -- After this the public key is no longer published in the JWKS.
    expires_at timestamptz,
    updated_at timestamptz not null default now(),
    constraint signing_keys_status_check check (status in ('next', 'active', 'retired'))
  )`,
  `create index signing_keys_status_index on signing_keys (status)`,
];

const down = [`drop table signing_keys`, `drop table scopes`, `drop table api_resources`, `drop table clients`];

export default {
  name: '20261124000002_clients',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
