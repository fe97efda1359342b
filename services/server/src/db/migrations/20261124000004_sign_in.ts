import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// What sign-in methods keep: invitations, passkeys and their challenges,
// linked social identities, and one-time verification codes. Every "use once"
// row has a consumed/redeemed timestamp set by one atomic UPDATE.
const up = [
  `create table invitations (
    id uuid primary key default gen_random_uuid(),
    -- HMAC-SHA-256 of the invitation code (Keyring.hash); the code itself is shown once.
    code_hash text not null,
    -- Optional: the invitation is only valid for this address (compare lower()).
    email text,
    scopes text[] not null default '{}',
    created_by uuid references users (id) on delete set null,
    created_at timestamptz not null default now(),
    redeemed_by uuid references users (id) on delete set null,
    redeemed_at timestamptz,
    expires_at timestamptz,
    revoked_at timestamptz,
    constraint invitations_code_hash_key unique (code_hash),
    constraint invitations_redeemed_by_key unique (redeemed_by),
    constraint invitations_redeemed_check check (redeemed_by is null or redeemed_at is not null)
  )`,
  `create index invitations_created_by_index on invitations (created_by)`,
  `create index invitations_expires_at_index on invitations (expires_at)`,

  `create table webauthn_credentials (
    id uuid primary key default gen_random_uuid(),
    -- The authenticator's credential ID, base64url.
    credential_id text not null,
    user_id uuid not null references users (id) on delete cascade,
    name text,
    -- COSE public key, base64url.
    public_key text not null,
    -- Signature counter is an unsigned 32-bit value: bigint holds all of it.
    counter bigint not null default 0,
    device_type text not null,
    backed_up boolean not null default false,
    transports text[] not null default '{}',
    aaguid text,
    attestation_type text not null default 'none',
    -- Anything else the authenticator told us at registration (attestation details).
    authenticator jsonb not null default '{}',
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    constraint webauthn_credentials_credential_id_key unique (credential_id),
    constraint webauthn_credentials_device_type_check check (device_type in ('singleDevice', 'multiDevice')),
    constraint webauthn_credentials_counter_check check (counter >= 0)
  )`,
  `create index webauthn_credentials_user_id_index on webauthn_credentials (user_id)`,

  `create table webauthn_challenges (
    id uuid primary key default gen_random_uuid(),
    -- base64url challenge sent to the browser.
    challenge text not null,
    purpose text not null,
    -- Null for discoverable-credential (username-less) sign-in.
    user_id uuid references users (id) on delete cascade,
    allowed_credential_ids text[] not null default '{}',
    user_verification text,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    consumed_at timestamptz,
    constraint webauthn_challenges_challenge_key unique (challenge),
    constraint webauthn_challenges_purpose_check check (purpose in ('registration', 'authentication')),
    constraint webauthn_challenges_registration_user_check check (purpose <> 'registration' or user_id is not null)
  )`,
  `create index webauthn_challenges_user_id_index on webauthn_challenges (user_id)`,
  `create index webauthn_challenges_expires_at_index on webauthn_challenges (expires_at)`,

  `create table auth_providers (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users (id) on delete cascade,
    -- The upstream: 'google', 'github', 'apple', or an operator-configured name.
    type text not null,
    -- The user's subject at the upstream.
    provider_id text not null,
    email text,
    -- Latest claims from the upstream's ID token / userinfo (seed 003's user_info).
    claims jsonb not null default '{}',
    metadata jsonb not null default '{}',
    linked_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    last_used_at timestamptz,
    constraint auth_providers_type_provider_id_key unique (type, provider_id)
  )`,
  `create index auth_providers_user_id_index on auth_providers (user_id)`,

  `create table verification_codes (
    id uuid primary key default gen_random_uuid(),
    -- Null when the code proves an address before an account exists (sign-up, email sign-in).
    user_id uuid references users (id) on delete cascade,
    -- What the code is for, e.g. 'email-verification', 'phone-verification', 'sign-in', 'password-reset'.
    purpose text not null,
    -- The normalized email address or phone number the code was sent to.
    target text not null,
    -- Keyed hash (Keyring.hash) of the code.
    code_hash text not null,
    -- Wrong guesses so far; the code stops working at the limit (counted atomically).
    attempts integer not null default 0,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    consumed_at timestamptz,
    constraint verification_codes_attempts_check check (attempts >= 0)
  )`,
  `create index verification_codes_purpose_target_index on verification_codes (purpose, target)`,
  `create index verification_codes_user_id_index on verification_codes (user_id)`,
  `create index verification_codes_expires_at_index on verification_codes (expires_at)`,
];

const down = [
  `drop table verification_codes`,
  `drop table auth_providers`,
  `drop table webauthn_challenges`,
  `drop table webauthn_credentials`,
  `drop table invitations`,
];

export default {
  name: '20261124000004_sign_in',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
