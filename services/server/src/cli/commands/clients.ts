import type { Command } from 'commander';
import { createClient, DEFAULT_SCOPE, deleteClient, GRANT_TYPES, listClients, updateClient } from '../../clients/manage.ts';
import { CliError, type CommandModule } from '../context.ts';
import { withStore } from '../with-store.ts';

/** Client changes made here are the operator's, recorded as actor `cli`. */
const OPERATOR = { actorType: 'operator', actorId: 'cli' } as const;

const collect = (value: string, previous: string[] = []) => [...previous, value];
// Messages name the flags the operator typed.
const FLAGS = { name: '--name', redirect_uris: '--redirect-uri', scope: '--scope', backchannel_logout_uri: '--backchannel-logout-uri' };

function grantType(value: string): string {
  const known = Object.entries(GRANT_TYPES).find(([short, full]) => value === short || value === full);
  if (!known) throw new CliError(`unknown --grant-type "${value}" (use ${Object.keys(GRANT_TYPES).join(', ')})`);
  return known[1];
}

type CreateOptions = {
  name: string;
  type: string;
  redirectUri?: string[];
  postLogoutRedirectUri?: string[];
  grantType?: string[];
  scope?: string;
  firstParty?: boolean;
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired?: boolean;
};

/** Each flag left out leaves its setting as it is; a repeatable flag given replaces the whole list. */
type UpdateOptions = {
  name?: string;
  redirectUri?: string[];
  postLogoutRedirectUri?: string[];
  grantType?: string[];
  scope?: string;
  firstParty?: boolean;
  /** A URI sets it; false (--no-backchannel-logout-uri) removes it. */
  backchannelLogoutUri?: string | false;
  backchannelLogoutSessionRequired?: boolean;
};

export const clients: CommandModule = (program, ctx) => {
  const group: Command = program.command('clients').description('register and manage OAuth clients');

  group
    .command('create')
    .description('register a client; a confidential client\'s secret is printed once and stored only as a hash')
    .requiredOption('--name <name>', 'unique display name, shown on consent screens')
    .requiredOption('--type <type>', 'confidential (has a secret) or public (SPA, native app)')
    .option('--redirect-uri <uri>', 'exact redirect URI (repeatable)', collect)
    .option('--post-logout-redirect-uri <uri>', 'where RP-initiated logout may return (repeatable)', collect)
    .option('--grant-type <grant>', `one of ${Object.keys(GRANT_TYPES).join(', ')} (repeatable; default authorization_code + refresh_token)`, collect)
    .option('--scope <scopes>', 'space-separated scopes the client may request', DEFAULT_SCOPE)
    .option('--first-party', 'a client of the operator\'s own: skips the consent page')
    .option('--backchannel-logout-uri <uri>', 'OpenID Back-Channel Logout: where logout tokens are posted when a session ends (may be a private address)')
    .option('--no-backchannel-logout-session-required', 'logout tokens (and ID tokens) carry no sid')
    .action(async (options: CreateOptions) => {
      const type = options.type;
      if (type !== 'confidential' && type !== 'public') throw new CliError('--type must be "confidential" or "public"');
      const { knex } = await ctx.db();
      const keyring = await ctx.keyring();
      const { client, secret } = await withStore(ctx, (store) => createClient(
        { knex, keyring, store },
        {
          name: options.name,
          type,
          redirect_uris: options.redirectUri ?? [],
          post_logout_redirect_uris: options.postLogoutRedirectUri ?? [],
          grant_types: (options.grantType ?? ['authorization_code', 'refresh_token']).map(grantType),
          scope: (options.scope ?? DEFAULT_SCOPE).split(/\s+/).filter(Boolean),
          first_party: options.firstParty === true,
          ...(options.backchannelLogoutUri
            ? { backchannel_logout_uri: options.backchannelLogoutUri, backchannel_logout_session_required: options.backchannelLogoutSessionRequired !== false }
            : {}),
        },
        { actor: OPERATOR, fieldNames: FLAGS },
      ));
      const id = client.client_id;
      ctx.print(
        { client_id: id, ...(secret ? { client_secret: secret } : {}) },
        secret
          ? `client_id:     ${id}\nclient_secret: ${secret}\nThe secret is shown only now; store it safely.`
          : `client_id: ${id}`,
      );
    });

  group
    .command('update')
    .description('change a client\'s settings (not the built-in console client; an API\'s introspection client only its name)')
    .argument('<client-id>', 'the client id, as `clients list` shows it')
    .option('--name <name>', 'new display name')
    .option('--redirect-uri <uri>', 'exact redirect URI (repeatable; replaces the list)', collect)
    .option('--post-logout-redirect-uri <uri>', 'where RP-initiated logout may return (repeatable; replaces the list)', collect)
    .option('--grant-type <grant>', `one of ${Object.keys(GRANT_TYPES).join(', ')} (repeatable; replaces the list)`, collect)
    .option('--scope <scopes>', 'space-separated scopes the client may request (replaces them)')
    .option('--first-party', 'a client of the operator\'s own: skips the consent page')
    .option('--no-first-party', 'shows the consent page again')
    .option('--backchannel-logout-uri <uri>', 'OpenID Back-Channel Logout: where logout tokens are posted (may be a private address)')
    .option('--no-backchannel-logout-uri', 'stop sending logout tokens to this client')
    .option('--backchannel-logout-session-required', 'logout tokens (and ID tokens) carry sid')
    .option('--no-backchannel-logout-session-required', 'logout tokens (and ID tokens) carry no sid')
    // Generated ids may start with '-' (base64url): taken as the id, not refused as an unknown option.
    .allowUnknownOption()
    .action(async (id: string, options: UpdateOptions) => {
      const { knex } = await ctx.db();
      const keyring = await ctx.keyring();
      const { client } = await withStore(ctx, (store) => updateClient(
        { knex, keyring, store },
        id,
        {
          name: options.name,
          redirect_uris: options.redirectUri,
          post_logout_redirect_uris: options.postLogoutRedirectUri,
          grant_types: options.grantType?.map(grantType),
          scope: options.scope?.split(/\s+/).filter(Boolean),
          first_party: options.firstParty,
          backchannel_logout_uri: options.backchannelLogoutUri === false ? null : options.backchannelLogoutUri,
          backchannel_logout_session_required: options.backchannelLogoutSessionRequired,
        },
        { actor: OPERATOR, fieldNames: FLAGS },
      ));
      ctx.print(
        client,
        `updated client ${client.client_id} (${client.name})${client.backchannel_logout_uri ? `\nback-channel logout: ${client.backchannel_logout_uri}` : ''}`,
      );
    });

  group
    .command('list')
    .description('list registered clients (secrets are never shown)')
    .action(async () => {
      const list = (await listClients((await ctx.db()).knex)).map((c) => ({
        client_id: c.client_id,
        name: c.name,
        type: c.type,
        redirect_uris: c.redirect_uris,
        grant_types: c.grant_types,
        scope: c.scope,
        first_party: c.first_party,
        built_in: c.built_in,
        introspects_resource_id: c.introspects_resource_id,
        created_at: c.created_at,
      }));
      // Clients that belong to something else say so: the service refuses to change or delete them.
      const note = (c: (typeof list)[number]) => (c.built_in ? '  (built-in)' : c.introspects_resource_id ? `  (introspection client of API resource ${c.introspects_resource_id})` : '');
      ctx.print(
        { clients: list },
        list.length ? list.map((c) => `${c.client_id}  ${c.type.padEnd(12)}  ${c.name}${note(c)}`).join('\n') : 'no clients',
      );
    });

  group
    .command('delete')
    .description('delete a client by id or name, revoking everything it holds (not the built-in console client or an API\'s introspection client)')
    .argument('<client>', 'client id or name')
    // Generated ids may start with '-' (base64url): taken as the id, not refused as an unknown option.
    .allowUnknownOption()
    .action(async (idOrName: string) => {
      const { knex } = await ctx.db();
      // Replicas drop their cached copy at once (else within a second).
      const row = await withStore(ctx, (store) => deleteClient({ knex, store }, idOrName, { actor: OPERATOR, byName: true }));
      ctx.print({ deleted: row.client_id }, `deleted client ${row.client_id} (${row.name})`);
    });
};
