// Rewrites relative `.ts` specifiers in emitted declaration files to `.js`.
// tsc's rewriteRelativeImportExtensions rewrites the .js it emits but not the
// .d.ts (microsoft/TypeScript#61037); TypeScript itself reads either, older
// TypeScript versions and some editors only the .js form.
// Usage: node scripts/dts-extensions.mjs <dist folder>
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const folder = process.argv[2];
if (!folder) {
  console.error('usage: node scripts/dts-extensions.mjs <dist folder>');
  process.exit(2);
}

// from './x.ts' · import('../y.ts') · export * from './z.ts'
const RELATIVE_TS = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.(m|c)?ts(['"])/g;

for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !/\.d\.(m|c)?ts$/.test(entry.name)) continue;
  const file = path.join(entry.parentPath, entry.name);
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(RELATIVE_TS, (_all, head, specifier, kind = '', quote) => `${head}${specifier}.${kind}js${quote}`);
  if (rewritten !== text) writeFileSync(file, rewritten);
}
