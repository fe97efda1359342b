import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// Shared Signals receivers manage their own streams with a client-credentials
// token for the built-in API carrying `ssf` (src/signals/). An operator
// allows it per client (`latchkey clients create --scope ssf`).
const up = [
  `update api_resources set scopes = array_append(scopes, 'ssf') where built_in and not ('ssf' = any (scopes))`,
  `insert into scopes (name, description) values ('ssf', 'Receive security events (Shared Signals streams)') on conflict (name) do nothing`,
];

const down = [`delete from scopes where name = 'ssf'`, `update api_resources set scopes = array_remove(scopes, 'ssf') where built_in`];

export default {
  name: '20261201000010_ssf_scope',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
