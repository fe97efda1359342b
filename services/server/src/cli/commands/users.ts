import { checkOperatorUser, createOperatorUser, NAME_MAX_LENGTH, ROLES, type CreateUserProblem } from '../../accounts/create-user.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../password/params.ts';
import { createStore } from '../../store/index.ts';
import { CliError, type CommandModule } from '../context.ts';
import { registerStatusCommands } from './user-status.ts';

const MESSAGES: Record<CreateUserProblem, (email: string) => string> = {
  email_invalid: () => '--email must be an email address like name@example.com',
  name_invalid: () => `--name must be at most ${NAME_MAX_LENGTH} characters`,
  role_invalid: () => `--role must be one of ${ROLES.join(', ')}`,
  password_short: () => `the password must be at least ${PASSWORD_MIN_LENGTH} characters`,
  password_long: () => `the password must be at most ${PASSWORD_MAX_LENGTH} characters`,
  password_common: () => 'the password is too common (or is the email address); choose one that is harder to guess',
  email_taken: (email) => `a user with email ${email} already exists`,
};

/** The whole of stdin, minus the one line break `echo` or a here-string adds. */
async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

type CreateOptions = { email: string; passwordStdin?: boolean; role: string; name?: string };

/** `latchkey users create`: the first admin, or any account an operator vouches for; and its standing (user-status.ts). */
export const users: CommandModule = (program, ctx) => {
  const group = program.command('users').description('manage user accounts');

  group
    .command('create')
    .description('create a user whose email counts as verified; a password is read from stdin only (never from the command line)')
    .requiredOption('--email <email>', 'the user\'s email address (unique, case-insensitive)')
    .option('--password-stdin', 'read the password from standard input (without it the user signs in with emailed codes)')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, 'user')
    .option('--name <name>', 'display name')
    .action(async (options: CreateOptions) => {
      const password = options.passwordStdin ? await readPassword() : undefined;
      // Checked before the database is opened, so a typo costs nothing.
      const checked = checkOperatorUser({ email: options.email, password, name: options.name, role: options.role });
      if (!checked.ok) throw new CliError(MESSAGES[checked.problem](options.email.trim()));
      const { user } = checked;
      const { knex } = await ctx.db();
      // With REDIS_URL running replicas hear user:created; without it nobody is listening.
      const store = await createStore({ redisUrl: ctx.config().redisUrl });
      let userId: string | undefined;
      try {
        userId = await createOperatorUser({ knex, store }, user, { actor: { actorType: 'operator' }, via: 'cli' });
      } finally {
        await store.close();
      }
      if (!userId) throw new CliError(MESSAGES.email_taken(user.email));
      ctx.print({ user_id: userId }, `created user ${userId} (${user.email})`);
    });

  registerStatusCommands(group, ctx);
};
