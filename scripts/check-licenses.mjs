#!/usr/bin/env node
// Fails when a production dependency's license is not permissive.
// Reads the output of `pnpm licenses list --prod --json` from the file named
// by its argument (or stdin), prints offenders on stderr, exits 1 if any.
//
// SPDX expressions are honoured: "A OR B" passes if either side does,
// "A AND B" only if both do. Unknown or custom licenses fail: look at the
// package and add it here with a comment only if its terms are permissive.

import { readFileSync } from 'node:fs';

const PERMISSIVE = new Set([
  'MIT',
  'MIT-0',
  'ISC',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'Apache-2.0',
  '0BSD',
  'BlueOak-1.0.0',
  'Python-2.0',
  'CC0-1.0',
  'Unlicense',
]);

/** Evaluates an SPDX expression (OR, AND, parentheses, WITH exceptions). */
function permissive(expression) {
  const tokens = expression.replace(/[()]/g, (p) => ` ${p} `).split(/\s+/).filter(Boolean);
  let i = 0;
  const primary = () => {
    const token = tokens[i++];
    if (token === '(') {
      const value = or();
      i++; // ')'
      return value;
    }
    // "Apache-2.0 WITH LLVM-exception": the exception only adds permissions.
    if (tokens[i] === 'WITH') i += 2;
    return PERMISSIVE.has(String(token).replace(/\+$/, ''));
  };
  const and = () => {
    let value = primary();
    while (tokens[i] === 'AND') {
      i++;
      value = primary() && value;
    }
    return value;
  };
  const or = () => {
    let value = and();
    while (tokens[i] === 'OR') {
      i++;
      value = and() || value;
    }
    return value;
  };
  return tokens.length > 0 && or() && i === tokens.length;
}

// Packages whose package.json names no license but whose own files grant a
// permissive one, checked by hand: name@version → where the grant is.
const REVIEWED = new Map([
  ['pause@0.0.1', 'MIT, stated in its Readme.md (a dependency of passport)'],
]);

const input = readFileSync(process.argv[2] ?? 0, 'utf8');
let byLicense;
try {
  byLicense = JSON.parse(input);
} catch {
  process.stderr.write(`licenses: could not parse the output of pnpm licenses list:\n${input.slice(0, 500)}\n`);
  process.exit(1);
}

const offenders = [];
let count = 0;
for (const [license, packages] of Object.entries(byLicense)) {
  for (const pkg of packages) {
    count += 1;
    if (!permissive(license) && !pkg.versions.every((v) => REVIEWED.has(`${pkg.name}@${v}`))) offenders.push(`${pkg.name}@${pkg.versions.join(',')}: ${license}`);
  }
}

if (offenders.length > 0) {
  process.stderr.write(`licenses: ${offenders.length} production dependencies are not permissively licensed:\n`);
  for (const line of offenders) process.stderr.write(`  ${line}\n`);
  process.exit(1);
}
process.stderr.write(`licenses: ${count} production dependencies, all permissive (${Object.keys(byLicense).join(', ')})\n`);
