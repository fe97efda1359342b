import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// OpenID Back-Channel Logout through an outbox: a row per (ended session,
// client with a backchannel_logout_uri), written in the transaction that ends
// the session, sent by a worker with retries. The logout token is built at
// delivery (it lives two minutes), from what the row keeps.
const up = [
  `create table backchannel_logouts (
    id uuid primary key default gen_random_uuid(),
    client_id text not null,
    -- The account as the provider knows it; the token's sub is derived per client (pairwise included).
    account_id text not null,
    -- The session id this client saw in its ID tokens; null when the client asked for none.
    sid text,
    url text not null,
    -- 'operator' (set with the CLI or admin API: may be private) or 'client' (dynamic registration: public only).
    trust text not null check (trust in ('client', 'operator')),
    status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    leased_until timestamptz,
    last_status integer,
    last_error text,
    created_at timestamptz not null default now(),
    delivered_at timestamptz
  )`,
  `create index backchannel_logouts_due on backchannel_logouts (next_attempt_at) where status = 'pending'`,
  `create index backchannel_logouts_created on backchannel_logouts (created_at)`,
];

const down = [`drop table backchannel_logouts`];

export default {
  name: '20261201000020_backchannel_logouts',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
