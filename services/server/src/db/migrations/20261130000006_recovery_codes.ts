import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// Recovery codes for a lost authenticator app: ten per account, shown once,
// stored as keyed hashes (Keyring purpose 'recovery-code'). A code is used by
// one UPDATE … WHERE used_at IS NULL, so it works once even in parallel.
const up = [
  `create table recovery_codes (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references users (id) on delete cascade,
    code_hash text not null,
    created_at timestamptz not null default now(),
    used_at timestamptz,
    constraint recovery_codes_code_hash_key unique (code_hash)
  )`,
  `create index recovery_codes_user_id_idx on recovery_codes (user_id)`,
];

const down = [`drop table recovery_codes`];

export default {
  name: '20261130000006_recovery_codes',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
