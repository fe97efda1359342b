import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// One verified number, one account: the number signs in, so two accounts
// holding it would make a sign-in ambiguous. Unverified numbers (typed in,
// never proved) may repeat. Served also by phone sign-in's lookup.
const up = [`create unique index users_verified_phone_key on users (phone) where phone_verified`];

const down = [`drop index users_verified_phone_key`];

export default {
  name: '20261130000008_phone',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
