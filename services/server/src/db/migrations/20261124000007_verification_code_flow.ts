import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// A code is bound to the sign-in flow that asked for it (the interaction uid),
// so a code read from one browser's flow cannot finish another's, and a wrong
// guess in one flow cannot burn a code another flow is waiting on.
const up = [
  `alter table verification_codes add column flow_id text`,
  `create index verification_codes_flow_index on verification_codes (purpose, target, flow_id)`,
];

const down = [`drop index verification_codes_flow_index`, `alter table verification_codes drop column flow_id`];

export default {
  name: '20261124000007_verification_code_flow',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
