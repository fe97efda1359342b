import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// Personal API tokens record where they were last used from. An API resource
// gets its own confidential client that may only introspect tokens for it;
// the client goes when its resource does.
const up = [
  `alter table api_tokens add column last_used_ip text`,
  `alter table clients add column introspects_resource_id uuid references api_resources (id) on delete cascade`,
  `alter table clients add constraint clients_introspects_resource_id_key unique (introspects_resource_id)`,
];

const down = [
  `alter table clients drop constraint clients_introspects_resource_id_key`,
  `alter table clients drop column introspects_resource_id`,
  `alter table api_tokens drop column last_used_ip`,
];

export default {
  name: '20261130000003_api_tokens',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
