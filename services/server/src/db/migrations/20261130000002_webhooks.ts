import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// Signed webhooks. Events go to an outbox (webhook_events) in the same
// transaction as the change they describe and are fanned out to the
// subscribed endpoints (webhook_deliveries) in that same statement, so
// nothing is lost when the server dies between the write and the send.
const up = [
  `create table webhooks (
    id uuid primary key default gen_random_uuid(),
    url text not null,
    description text,
    event_types text[] not null,
    -- Encrypted with the keyring (purpose 'webhook-secret'): we sign with it, so it cannot be hashed.
    secret text not null,
    -- The secret before the last rotation, also signed with until previous_secret_until.
    previous_secret text,
    previous_secret_until timestamptz,
    enabled boolean not null default true,
    -- Millisecond precision: ETags and cursors carry these values through JavaScript dates.
    created_at timestamptz not null default date_trunc('milliseconds', now()),
    updated_at timestamptz not null default date_trunc('milliseconds', now())
  )`,
  `create table webhook_events (
    -- Ordered: deliveries of one subject go out in id order.
    id bigserial primary key,
    type text not null,
    -- What the event is about (a user id, or a session id without a user); ordering is per subject.
    subject text,
    data jsonb not null default '{}',
    occurred_at timestamptz not null default now()
  )`,
  `create index webhook_events_occurred_at_index on webhook_events (occurred_at)`,
  `create table webhook_deliveries (
    id uuid primary key default gen_random_uuid(),
    webhook_id uuid not null references webhooks (id) on delete cascade,
    event_id bigint not null references webhook_events (id) on delete cascade,
    -- Copied from the event so the "earlier delivery of this subject pending?" check needs no join.
    subject text,
    event_type text not null,
    status text not null default 'pending',
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    -- A worker's claim: others skip the row until then (a crashed worker's claim simply runs out).
    leased_until timestamptz,
    last_status integer,
    last_error text,
    last_attempt_at timestamptz,
    delivered_at timestamptz,
    created_at timestamptz not null default date_trunc('milliseconds', now()),
    updated_at timestamptz not null default now(),
    constraint webhook_deliveries_status_check check (status in ('pending', 'delivered', 'failed')),
    constraint webhook_deliveries_webhook_id_event_id_key unique (webhook_id, event_id)
  )`,
  `create index webhook_deliveries_due_index on webhook_deliveries (next_attempt_at) where status = 'pending'`,
  `create index webhook_deliveries_order_index on webhook_deliveries (webhook_id, subject, event_id) where status = 'pending'`,
  `create index webhook_deliveries_event_id_index on webhook_deliveries (event_id)`,
  `create index webhook_deliveries_list_index on webhook_deliveries (webhook_id, created_at, id)`,
];

const down = [`drop table webhook_deliveries`, `drop table webhook_events`, `drop table webhooks`];

export default {
  name: '20261130000002_webhooks',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
