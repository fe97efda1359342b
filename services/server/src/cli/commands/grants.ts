import { revokeGrants } from '../../accounts/status.ts';
import { findClientByIdOrName } from '../../db/clients.ts';
import { findUserByEmail } from '../../db/users.ts';
import { CliError, type CommandModule } from '../context.ts';

type RevokeOptions = { user: string; client?: string; reason: string };

/**
 * `latchkey grants revoke --user EMAIL [--client C]`: what a user allowed
 * apps to do, with every token and code it issued (refresh tokens included).
 * Browser sessions stay; an app that asks again meets the consent page.
 */
export const grants: CommandModule = (program, ctx) => {
  const group = program.command('grants').description('revoke what users allowed apps to do');

  group
    .command('revoke')
    .description('revoke a user\'s grants (all, or one client\'s) with their access and refresh tokens and codes, on every server at once')
    .requiredOption('--user <email>', 'the user\'s email address')
    .option('--client <client>', 'only this client (id or name)')
    .option('--reason <reason>', 'why (kept in the audit log)', 'revoked by operator')
    .action(async (options: RevokeOptions) => {
      const email = options.user.trim();
      const { knex } = await ctx.db();
      const user = await findUserByEmail(knex, email);
      if (!user) throw new CliError(`no user with email ${email}`);
      const client = options.client === undefined ? undefined : await findClientByIdOrName(knex, options.client);
      if (options.client !== undefined && !client) throw new CliError(`no client with id or name "${options.client}"`);
      const revoked = await revokeGrants({ knex }, user.id, { clientId: client?.id, actor: { actorType: 'operator' }, reason: options.reason });
      ctx.print(
        { user_id: user.id, client_id: client?.id ?? null, grants_revoked: revoked },
        `revoked ${revoked} grant(s) of ${user.email ?? email}${client ? ` at ${client.name}` : ''}`,
      );
    });
};
