import { checkInvitation, issueInvitation, parseDuration, type InvitationProblem } from '../../accounts/invitations.ts';
import { CliError, type CommandModule } from '../context.ts';

const MESSAGES: { [P in InvitationProblem['problem']]: (problem: InvitationProblem) => string } = {
  email_invalid: () => '--email must be an email address like name@example.com',
  scope_invalid: (p) => `--scopes must be space-separated scope tokens ("${p.problem === 'scope_invalid' ? p.scope : ''}" is not one)`,
  expiry_invalid: () => '--expires-in must look like 90s, 30m, 12h or 7d (at most 365d), or be "never"',
};

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
      const expiresInSeconds = options.expiresIn.trim() === 'never' ? null : parseDuration(options.expiresIn);
      if (expiresInSeconds === undefined) throw new CliError(MESSAGES.expiry_invalid({ problem: 'expiry_invalid' }));
      const input = { email: options.email ?? null, scopes: (options.scopes ?? '').split(/\s+/).filter(Boolean), expiresInSeconds };
      // Checked before the database is opened, so a typo costs nothing.
      const checked = checkInvitation(input);
      if (!checked.ok) throw new CliError(MESSAGES[checked.problem](checked));
      const issued = await issueInvitation(
        { knex: (await ctx.db()).knex, keyring: await ctx.keyring(), issuer: ctx.config().issuer },
        input,
        { actor: { actorType: 'operator' } },
      );
      if (!issued.ok) throw new CliError(MESSAGES[issued.problem](issued));
      const created = issued.invitation;
      const email = checked.invitation.email;
      const expiry = created.expiresAt ? `expires ${new Date(created.expiresAt).toISOString()}` : 'never expires';
      ctx.print(
        { code: created.code, url: created.url },
        `invitation code: ${created.code}\nsign-up link:    ${created.url}\n${expiry}${email ? `; only for ${email}` : ''}. The code is shown only now.`,
      );
    });
};
