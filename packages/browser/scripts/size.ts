/**
 * Bundle sizes as an app ships them: esbuild (bundle, minify, ESM, browser)
 * then gzip. Ours next to keycloak-js and oidc-client-ts measured the same
 * way, each entry importing what a sign-in needs. `pnpm size` prints them
 * (CI does); the budget test uses measure().
 */
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The core sign-in entry's budget in bytes, min+gzip. */
export const CORE_BUDGET = 6 * 1024;

export const ENTRIES = {
  '@latchkey/browser': "export { createLatchkey } from './src/index.ts';",
  '@latchkey/browser/account': "export { createAccountClient } from './src/account.ts';",
  'keycloak-js': "export { default } from 'keycloak-js';",
  'oidc-client-ts': "export { UserManager } from 'oidc-client-ts';",
} as const;

export type Size = { name: string; minified: number; gzipped: number };

export async function measure(name: keyof typeof ENTRIES): Promise<Size> {
  const result = await build({
    stdin: { contents: ENTRIES[name], resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { name, minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;
  for (const name of Object.keys(ENTRIES) as (keyof typeof ENTRIES)[]) {
    const size = await measure(name);
    console.log(`${name.padEnd(28)} ${kb(size.minified).padStart(9)} min  ${kb(size.gzipped).padStart(8)} min+gzip`);
  }
  const core = await measure('@latchkey/browser');
  if (core.gzipped > CORE_BUDGET) {
    console.error(`@latchkey/browser is ${core.gzipped} B min+gzip, over its ${CORE_BUDGET} B budget`);
    process.exitCode = 1;
  }
}
