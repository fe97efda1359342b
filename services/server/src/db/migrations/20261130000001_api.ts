import type { Migration } from '../migrate.ts';
import { runStatements } from './statements.ts';

// The REST API is itself an API resource of this issuer. A migration cannot
// know the issuer URL, so the row is marked built-in and resource lookup maps
// `<issuer>/api` to it (src/oidc/resources.ts); its stored identifier is a
// placeholder no client can ask for. The scope list is frozen here on purpose
// (migrations never change once landed); later scopes come in later migrations.
const BUILT_IN_IDENTIFIER = 'urn:latchkey:api';

const SCOPES: ReadonlyArray<[string, string]> = [
  ['users:read', 'Read user accounts'],
  ['users:write', 'Create, change, block and delete user accounts'],
  ['clients:read', 'Read OAuth clients'],
  ['clients:write', 'Create, change and delete OAuth clients and rotate their secrets'],
  ['scopes:read', 'Read scopes'],
  ['scopes:write', 'Create, change and delete scopes'],
  ['resources:read', 'Read API resources'],
  ['resources:write', 'Create, change and delete API resources'],
  ['invitations:read', 'Read invitations'],
  ['invitations:write', 'Create and revoke invitations'],
  ['sessions:read', 'Read sign-in sessions of all users'],
  ['sessions:write', 'Revoke sign-in sessions of any user'],
  ['grants:read', 'Read the apps users have authorized'],
  ['grants:write', 'Revoke apps users have authorized'],
  ['keys:read', 'Read signing keys (public parts)'],
  ['keys:write', 'Rotate and revoke signing keys'],
  ['audit:read', 'Read the audit log'],
  ['api_tokens:read', 'Read personal API tokens of all users'],
  ['api_tokens:write', 'Revoke and block personal API tokens of any user'],
  ['webhooks:read', 'Read webhooks and their deliveries'],
  ['webhooks:write', 'Create, change, delete and replay webhooks'],
  ['account', 'Manage your own account: profile, email, password, sessions, apps and API tokens'],
];

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;
const scopeArray = `array[${SCOPES.map(([name]) => quote(name)).join(', ')}]::text[]`;

const up = [
  `alter table api_resources add column built_in boolean not null default false`,
  // At most one built-in resource.
  `create unique index api_resources_built_in_key on api_resources (built_in) where built_in`,
  `insert into api_resources (identifier, name, scopes, access_token_ttl, signing_alg, built_in)
    values (${quote(BUILT_IN_IDENTIFIER)}, 'Latchkey API', ${scopeArray}, 600, 'RS256', true)`,
  // Scope rows change through the API now: updated_at is their ETag.
  `alter table scopes add column updated_at timestamptz not null default now()`,
  `insert into scopes (name, description) values ${SCOPES.map(([name, description]) => `(${quote(name)}, ${quote(description)})`).join(', ')}
    on conflict (name) do nothing`,
];

const down = [
  `delete from scopes where name = any (${scopeArray})`,
  `alter table scopes drop column updated_at`,
  `delete from api_resources where built_in`,
  `drop index api_resources_built_in_key`,
  `alter table api_resources drop column built_in`,
];

export default {
  name: '20261130000001_api',
  up: (knex) => runStatements(knex, up),
  down: (knex) => runStatements(knex, down),
} satisfies Migration;
