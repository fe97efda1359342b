import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createCliContext } from '../context.ts';
import { COMMAND_MODULES, commandsFor } from './index.ts';

const topLevelNames = (modules: Awaited<ReturnType<typeof commandsFor>>) => {
  const program = new Command('latchkey');
  const ctx = createCliContext(program, {});
  for (const register of modules) register(program, ctx);
  return program.commands.map((command) => command.name());
};

describe('command modules', () => {
  it('each module registers exactly the top-level commands it is listed under', async () => {
    for (const { names, load } of COMMAND_MODULES) expect(topLevelNames([await load()])).toEqual(names);
  });

  it('a named command loads its own module only; help, no command or an unknown name load them all', async () => {
    const all = COMMAND_MODULES.flatMap((module) => module.names);
    expect(topLevelNames(await commandsFor(['start', '--migrate']))).toEqual(['start']);
    expect(topLevelNames(await commandsFor(['--json', 'scopes', 'create']))).toEqual(['resources', 'scopes']);
    for (const args of [[], ['--help'], ['help', 'clients'], ['nonsense']]) expect(topLevelNames(await commandsFor(args))).toEqual(all);
  });

  it('a start loads no operator command module', () => {
    // In a fresh Node: which command modules each command line imports.
    const script = `
      const { registerHooks } = await import('node:module');
      const loaded = new Set();
      registerHooks({ load(url, context, next) { if (url.includes('/cli/commands/')) loaded.add(url.split('/').pop()); return next(url, context); } });
      const { commandsFor } = await import(${JSON.stringify(path.join(import.meta.dirname, 'index.ts'))});
      await commandsFor(['start']);
      const start = [...loaded];
      await commandsFor(['--help']);
      console.log(JSON.stringify({ start, help: [...loaded] }));
    `;
    const out = execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const { start, help } = JSON.parse(out.trim().split('\n').at(-1)!) as { start: string[]; help: string[] };
    expect(start.sort()).toEqual(['index.ts', 'start.ts']);
    expect(help).toEqual(expect.arrayContaining(['clients.ts', 'users.ts', 'user-status.ts', 'migrate.ts', 'ssf.ts']));
  });
});
