import { isValidEmail, normalizeEmail } from '../../accounts/email.ts';
import { createInvitation, isScopeToken, parseDuration } from '../../accounts/invitations.ts';
import { CliError, type CommandModule } from '../context.ts';

type CreateOptions = { email?: string; scopes?: string; expiresIn: string };

/** `latchkey invitations create`: a single-use sign-up link, optionally bound to one address. */
export const invitations: CommandModule = (program, ctx) => {
  const group = program.command('invitations').description('invite people to sign up (needed when LATCHKEY_SIGNUP=invite)');

  group
    .command('create')
    .description('create an invitation; its code is printed once and stored only as a hash')
    .option('--email <email>', 'only this address may use the invitation')
    .option('--scopes <scopes>', 'space-separated scopes granted to the account that redeems it')
    .option('--expires-in <duration>', 'how long it stays valid: 90s, 30m, 12h, 7d (at most 365d), or "never"', '7d')
    .action(async (options: CreateOptions) => {
      const email = options.email === undefined ? null : normalizeEmail(options.email);
      if (email !== null && !isValidEmail(email)) throw new CliError('--email must be an email address like name@example.com');
      const scopes = (options.scopes ?? '').split(/\s+/).filter(Boolean);
      const bad = scopes.find((scope) => !isScopeToken(scope));
      if (bad !== undefined) throw new CliError(`--scopes must be space-separated scope tokens ("${bad}" is not one)`);
      const expiresInSeconds = options.expiresIn.trim() === 'never' ? null : parseDuration(options.expiresIn);
      if (expiresInSeconds === undefined) throw new CliError('--expires-in must look like 90s, 30m, 12h or 7d (at most 365d), or be "never"');

      const created = await createInvitation(
        { knex: (await ctx.db()).knex, keyring: await ctx.keyring(), issuer: ctx.config().issuer },
        { email, scopes, expiresInSeconds },
      );
      const expiry = created.expiresAt ? `expires ${new Date(created.expiresAt).toISOString()}` : 'never expires';
      ctx.print(
        { code: created.code, url: created.url },
        `invitation code: ${created.code}\nsign-up link:    ${created.url}\n${expiry}${email ? `; only for ${email}` : ''}. The code is shown only now.`,
      );
    });
};
