import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// Who did what to whom, from where. Append-only: a trigger rejects UPDATE and
// DELETE so a bug or a compromised code path cannot rewrite history. No foreign
// keys: events must outlive the users and clients they mention.
const up = [
  `create table audit_events (
    id uuid primary key default gen_random_uuid(),
    occurred_at timestamptz not null default now(),
    -- Dotted event name, e.g. 'user.created', 'session.revoked', 'client.deleted'.
    type text not null,
    actor_type text not null,
    actor_id text,
    subject_type text,
    subject_id text,
    client_id text,
    ip text,
    user_agent text,
    data jsonb not null default '{}',
    constraint audit_events_actor_type_check check (actor_type in ('user', 'client', 'operator', 'system'))
  )`,
  `create index audit_events_occurred_at_index on audit_events (occurred_at)`,
  `create index audit_events_type_index on audit_events (type)`,
  `create index audit_events_actor_index on audit_events (actor_type, actor_id)`,
  `create index audit_events_subject_index on audit_events (subject_type, subject_id)`,
  `create function audit_events_reject_change() returns trigger language plpgsql as $$
  begin
    raise exception 'audit_events is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
  end
  $$`,
  `create trigger audit_events_append_only before update or delete on audit_events
    for each row execute function audit_events_reject_change()`,
];

const down = [
  `drop trigger audit_events_append_only on audit_events`,
  `drop table audit_events`,
  `drop function audit_events_reject_change()`,
];

export default {
  name: '20261124000006_audit_events',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
