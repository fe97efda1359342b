import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateErrorDocs, generateOpenApi, serialize } from './generate.ts';

/** `pnpm openapi`: writes openapi/latchkey.json and docs/api-errors.md from the contract. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const OPENAPI_FILE = path.join(root, 'openapi/latchkey.json');
export const ERRORS_FILE = path.join(root, 'docs/api-errors.md');

writeFileSync(OPENAPI_FILE, serialize(generateOpenApi()));
writeFileSync(ERRORS_FILE, generateErrorDocs());
console.log(`wrote ${path.relative(root, OPENAPI_FILE)} and ${path.relative(root, ERRORS_FILE)}`);
