import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// now() is the transaction's start time, so the events one change writes
// (e.g. user.blocked then grant.revoked) tied and listed in random order.
// clock_timestamp() gives each event the time it was written.
const up = [`alter table audit_events alter column occurred_at set default clock_timestamp()`];

const down = [`alter table audit_events alter column occurred_at set default now()`];

export default {
  name: '20261130000004_audit_event_order',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
