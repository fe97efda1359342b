import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// Shared Signals streams (SSF 1.0 §8), the subjects receivers added or
// removed, and an outbox of security events per stream. Events are written
// in the transaction of the change they describe (src/events/audit.ts) and
// signed only when sent or polled, with the key that signs then. Receivers
// manage their streams with a client-credentials token for the built-in API
// carrying `ssf`, a scope an operator allows per client.
const up = [
  `update api_resources set scopes = array_append(scopes, 'ssf') where built_in and not ('ssf' = any (scopes))`,
  `insert into scopes (name, description) values ('ssf', 'Receive security events (Shared Signals streams)') on conflict (name) do nothing`,
  `create table ssf_streams (
    id uuid primary key default gen_random_uuid(),
    -- The receiver: the confidential client whose token created the stream; only it sees the stream.
    client_id text not null references clients (id) on delete cascade,
    aud text not null,
    delivery_method text not null,
    -- Push: the receiver's URL. Poll: null (the URL is <issuer>/ssf/poll/<id>).
    endpoint_url text,
    -- Sent with every push; encrypted with the keyring (purpose 'ssf-authorization'), never shown again.
    authorization_header text,
    events_requested text[] not null default '{}',
    events_delivered text[] not null default '{}',
    status text not null default 'enabled',
    status_reason text,
    description text,
    created_at timestamptz not null default date_trunc('milliseconds', now()),
    updated_at timestamptz not null default date_trunc('milliseconds', now()),
    constraint ssf_streams_delivery_method_check check (delivery_method in ('urn:ietf:rfc:8935', 'urn:ietf:rfc:8936')),
    constraint ssf_streams_status_check check (status in ('enabled', 'paused', 'disabled'))
  )`,
  `create index ssf_streams_client_id_index on ssf_streams (client_id)`,
  `create table ssf_stream_subjects (
    stream_id uuid not null references ssf_streams (id) on delete cascade,
    user_id uuid not null references users (id) on delete cascade,
    -- The subject as the receiver named it (iss_sub or email): account events use this format.
    subject jsonb not null,
    -- Removed: the person's events are not sent on this stream (default subjects are ALL).
    removed boolean not null default false,
    updated_at timestamptz not null default now(),
    primary key (stream_id, user_id)
  )`,
  `create table ssf_outbox (
    id bigserial primary key,
    stream_id uuid not null references ssf_streams (id) on delete cascade,
    jti text not null unique,
    event_type text not null,
    -- What the SET says, before the per-stream parts (aud, sub_id) and the signature are added.
    event jsonb not null,
    txn text,
    state text not null default 'pending',
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    leased_until timestamptz,
    last_status integer,
    last_error text,
    occurred_at timestamptz not null default now(),
    delivered_at timestamptz,
    acknowledged_at timestamptz,
    constraint ssf_outbox_state_check check (state in ('pending', 'delivered', 'acknowledged', 'failed'))
  )`,
  `create index ssf_outbox_due_index on ssf_outbox (next_attempt_at) where state = 'pending'`,
  `create index ssf_outbox_stream_index on ssf_outbox (stream_id, id) where state = 'pending'`,
  `create index ssf_outbox_occurred_at_index on ssf_outbox (occurred_at)`,
];

const down = [
  `drop table ssf_outbox`,
  `drop table ssf_stream_subjects`,
  `drop table ssf_streams`,
  `delete from scopes where name = 'ssf'`,
  `update api_resources set scopes = array_remove(scopes, 'ssf') where built_in`,
];

export default {
  name: '20261201000011_ssf_streams',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
