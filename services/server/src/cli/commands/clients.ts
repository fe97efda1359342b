import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { deleteClient, insertClient, listClients } from '../../db/clients.ts';
import { recordAuditEvent } from '../../events/audit.ts';
import { checkRedirectUris } from '../../oidc/redirect-uris.ts';
import { CliError, type CommandModule } from '../context.ts';

const GRANT_TYPES = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  client_credentials: 'client_credentials',
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
} as const;

/** Client changes made here are the operator's, recorded as actor `cli`. */
const OPERATOR = { actorType: 'operator', actorId: 'cli' } as const;

const DEFAULT_SCOPE = 'openid offline_access profile email phone';
const collect = (value: string, previous: string[] = []) => [...previous, value];

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
    .action(async (options: CreateOptions) => {
      const name = options.name.trim();
      if (!name || name.length > 100) throw new CliError('--name must be 1 to 100 characters');
      if (options.type !== 'confidential' && options.type !== 'public') throw new CliError('--type must be "confidential" or "public"');
      const isPublic = options.type === 'public';
      const grantTypes = [...new Set((options.grantType ?? ['authorization_code', 'refresh_token']).map(grantType))];
      if (isPublic && grantTypes.includes(GRANT_TYPES.client_credentials)) {
        throw new CliError('a public client cannot use client_credentials (it has no secret)');
      }
      const redirectUris = options.redirectUri ?? [];
      const postLogout = options.postLogoutRedirectUri ?? [];
      if (grantTypes.includes(GRANT_TYPES.authorization_code) && redirectUris.length === 0) {
        throw new CliError('authorization_code needs at least one --redirect-uri');
      }
      const problems = checkRedirectUris([...redirectUris, ...postLogout], { isPublic });
      if (problems.length) throw new CliError(problems.map((p) => `redirect URI ${p.uri} ${p.reason}`).join('; '));
      const scope = (options.scope ?? DEFAULT_SCOPE).split(/\s+/).filter(Boolean);
      if (scope.some((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) throw new CliError('--scope must be space-separated scope tokens');

      const id = randomBytes(16).toString('base64url');
      const secret = isPublic ? undefined : randomBytes(32).toString('base64url');
      const keyring = await ctx.keyring();
      const native = redirectUris.some((uri) => !/^https?:/.test(uri));
      const { knex } = await ctx.db();
      // The client and its audit event are written together or not at all.
      const created = await knex.transaction(async (trx) => {
        const inserted = await insertClient(trx, {
          id,
          name,
          secret_hash: secret ? keyring.hash('client-secret', secret) : null,
          redirect_uris: redirectUris,
          post_logout_redirect_uris: postLogout,
          grant_types: grantTypes,
          response_types: grantTypes.includes(GRANT_TYPES.authorization_code) ? ['code'] : [],
          scope: [...new Set(scope)].join(' '),
          token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
          first_party: options.firstParty === true,
          metadata: { application_type: native ? 'native' : 'web' },
        });
        if (inserted) {
          const data = { name, type: options.type, grant_types: grantTypes, redirect_uris: redirectUris, first_party: options.firstParty === true };
          await recordAuditEvent(trx, { type: 'client.created', ...OPERATOR, subject: { type: 'client', id }, clientId: id, data });
        }
        return inserted;
      });
      if (!created) throw new CliError(`a client named "${name}" already exists`);
      ctx.print(
        { client_id: id, ...(secret ? { client_secret: secret } : {}) },
        secret
          ? `client_id:     ${id}\nclient_secret: ${secret}\nThe secret is shown only now; store it safely.`
          : `client_id: ${id}`,
      );
    });

  group
    .command('list')
    .description('list registered clients (secrets are never shown)')
    .action(async () => {
      const rows = await listClients((await ctx.db()).knex);
      const list = rows.map((row) => ({
        client_id: row.id,
        name: row.name,
        type: row.secret_hash ? 'confidential' : 'public',
        redirect_uris: row.redirect_uris,
        grant_types: row.grant_types,
        scope: row.scope,
        first_party: row.first_party,
        created_at: new Date(row.created_at).toISOString(),
      }));
      ctx.print(
        { clients: list },
        list.length ? list.map((c) => `${c.client_id}  ${c.type.padEnd(12)}  ${c.name}`).join('\n') : 'no clients',
      );
    });

  group
    .command('delete')
    .description('delete a client by id or name, revoking everything it holds')
    .argument('<client>', 'client id or name')
    .action(async (idOrName: string) => {
      const row = await (await ctx.db()).knex.transaction(async (trx) => {
        const deleted = await deleteClient(trx, idOrName);
        if (deleted) {
          await recordAuditEvent(trx, { type: 'client.deleted', ...OPERATOR, subject: { type: 'client', id: deleted.id }, clientId: deleted.id, data: { name: deleted.name } });
        }
        return deleted;
      });
      if (!row) throw new CliError(`no client with id or name "${idOrName}"`);
      ctx.print({ deleted: row.id }, `deleted client ${row.id} (${row.name})`);
    });
};
