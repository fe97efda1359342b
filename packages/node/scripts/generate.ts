import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

/**
 * Generates src/generated/admin-api.ts (types only) from the committed OpenAPI
 * document: `pnpm --filter @latchkey/node generate`. A test compares the
 * committed file with a fresh generation, so the types never drift.
 */

export const documentPath = fileURLToPath(new URL('../../../openapi/latchkey.json', import.meta.url));
export const outputPath = fileURLToPath(new URL('../src/generated/admin-api.ts', import.meta.url));

const HEADER = '/**\n * Generated from openapi/latchkey.json by `pnpm --filter @latchkey/node generate`. Do not edit.\n */\n\n';

export async function generateAdminApiTypes(): Promise<string> {
  const document = JSON.parse(await readFile(documentPath, 'utf8'));
  return HEADER + astToString(await openapiTS(document));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(outputPath, await generateAdminApiTypes());
  console.log(`wrote ${outputPath}`);
}
