import type { CommandModule } from '../context.ts';

/**
 * Each command lives in its own module and registers itself, keyed here by
 * the top-level command names it defines (in the order help lists them).
 */
export const COMMAND_MODULES: ReadonlyArray<{ names: readonly string[]; load: () => Promise<CommandModule> }> = [
  { names: ['start'], load: () => import('./start.ts').then((m) => m.start) },
  { names: ['clients'], load: () => import('./clients.ts').then((m) => m.clients) },
  { names: ['resources', 'scopes'], load: () => import('./resources.ts').then((m) => m.resources) },
  { names: ['migrate'], load: () => import('./migrate.ts').then((m) => m.registerMigrateCommands) },
  { names: ['keys'], load: () => import('./keys.ts').then((m) => m.registerKeysCommands) },
  { names: ['users'], load: () => import('./users.ts').then((m) => m.users) },
  { names: ['invitations'], load: () => import('./invitations.ts').then((m) => m.invitations) },
  { names: ['sessions'], load: () => import('./sessions.ts').then((m) => m.sessions) },
  { names: ['grants'], load: () => import('./grants.ts').then((m) => m.grants) },
  { names: ['ssf'], load: () => import('./ssf.ts').then((m) => m.ssf) },
];

/**
 * The modules a command line needs: only the named command's (a server start
 * then loads none of the operator commands' services: ~4 MiB and ~60 ms), or
 * all of them for help, no command or a name that is not one (commander then
 * lists every command or says which is unknown).
 */
export async function commandsFor(args: readonly string[]): Promise<CommandModule[]> {
  // --json is the one global option and takes no value, so the first word that is not an option names the command.
  const name = args.find((arg) => !arg.startsWith('-'));
  const named = COMMAND_MODULES.find((module) => name !== undefined && module.names.includes(name));
  return Promise.all((named ? [named] : COMMAND_MODULES).map((module) => module.load()));
}
