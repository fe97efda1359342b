import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliResult } from './process.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
/** The `./latchkey` entry at the repository root. */
export const entryScript = path.join(repoRoot, 'latchkey');
/** PATH as a fresh shell has it: the system's directories only, no .tools/bin (the system's node, if any, is too old here). */
export const freshShellPath = '/usr/local/bin:/usr/bin:/bin';

export type TimedResult = CliResult & { ms: number };

/** Runs `./latchkey …` as a user in a fresh shell would: nothing but PATH, HOME and the given variables. */
export function runEntry(args: string[], env: Record<string, string>, options: { cwd?: string; input?: string } = {}): Promise<TimedResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(entryScript, args, {
      cwd: options.cwd ?? repoRoot,
      env: { PATH: freshShellPath, HOME: homedir(), ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) }));
    child.stdin.end(options.input ?? '');
  });
}
