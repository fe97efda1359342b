import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// A WebAuthn challenge is bound to the flow that asked for it (a sign-in's
// interaction, a pending second factor, a console session), so an assertion
// made for one browser's flow cannot finish another's.
const up = [`alter table webauthn_challenges add column flow_id text`];

const down = [`alter table webauthn_challenges drop column flow_id`];

export default {
  name: '20261130000005_passkeys',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
