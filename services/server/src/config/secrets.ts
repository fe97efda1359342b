import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './env.ts';

/**
 * The root secrets: from LATCHKEY_SECRETS, or (outside production) generated
 * once and kept in the data dir so restarts keep sessions and keys readable.
 */
export async function resolveSecrets(config: Config): Promise<readonly string[]> {
  if (config.secrets) return config.secrets;
  if (config.env === 'production') throw new Error('LATCHKEY_SECRETS is required when NODE_ENV=production');
  const file = path.join(config.dataDir, 'secrets');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored.length >= 32) return Object.freeze([stored]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(32).toString('base64url');
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  // 'wx' so two processes starting at once cannot overwrite each other's secret.
  try {
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return Object.freeze([secret]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return Object.freeze([(await readFile(file, 'utf8')).trim()]);
  }
}
