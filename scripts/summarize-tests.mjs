#!/usr/bin/env node
// Sums the vitest JSON reports in test-artifacts/ into one line on stdout:
//   N passed, N failed, N skipped
// and exits non-zero when anything failed or no test ran at all.
//
// Usage: node scripts/summarize-tests.mjs [--run-exit-code=N]
//
// Every workspace package with a vitest `test` script must leave
// test-artifacts/vitest-<folder>.json. A missing report, a test file that
// failed to load, or a test run that exited non-zero with no failed test
// (crash, unhandled error, failed build step) each count as one failure, so
// the line never reads "0 failed" for a run that did not pass.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = path.join(root, 'test-artifacts');
const exitArg = process.argv.find((arg) => arg.startsWith('--run-exit-code='));
const runExitCode = exitArg ? Number(exitArg.split('=')[1]) : 0;

const problem = (message) => process.stderr.write(`summarize-tests: ${message}\n`);

/** Report files the workspace's packages are expected to write, by folder name. */
function expectedReports() {
  const expected = new Map();
  for (const group of ['packages', 'services']) {
    const dir = path.join(root, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const manifest = path.join(dir, entry.name, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
      const test = pkg.scripts?.test;
      if (typeof test === 'string' && test.includes('vitest')) {
        expected.set(`vitest-${entry.name}.json`, `${pkg.name ?? entry.name} (${group}/${entry.name})`);
      }
    }
  }
  return expected;
}

let passed = 0;
let failed = 0;
let skipped = 0;

const expected = expectedReports();
const present = existsSync(artifacts)
  ? readdirSync(artifacts).filter((name) => /^vitest-.+\.json$/.test(name))
  : [];

for (const [file, pkg] of expected) {
  if (!present.includes(file)) {
    failed += 1;
    problem(
      `no report from ${pkg}: its tests crashed or did not run, or its test script lacks ` +
        `--reporter=json --outputFile.json=../../test-artifacts/${file}`,
    );
  }
}

for (const file of present) {
  let report;
  try {
    report = JSON.parse(readFileSync(path.join(artifacts, file), 'utf8'));
  } catch (error) {
    failed += 1;
    problem(`${file} is not a readable vitest JSON report (${error.message})`);
    continue;
  }
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  let counted = report.numFailedTests ?? 0;
  // A file that failed to load has no test results of its own.
  for (const suite of report.testResults ?? []) {
    const failedTests = (suite.assertionResults ?? []).filter((a) => a.status === 'failed').length;
    if (suite.status === 'failed' && failedTests === 0) {
      failed += 1;
      counted += 1;
      const where = path.relative(root, suite.name ?? file);
      problem(`${where} failed outside any test: ${(suite.message || 'see the log above').split('\n')[0]}`);
    }
  }
  if (report.success === false && counted === 0) {
    failed += 1;
    problem(`${file}: vitest reported failure (unhandled error?) with no failed test`);
  }
}

if (runExitCode !== 0 && failed === 0) {
  failed += 1;
  problem(`the test run exited with code ${runExitCode} though no test failed (see the log above)`);
}

const ran = passed + failed;
if (ran === 0) problem('no tests ran');
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 || ran === 0 ? 1 : 0);
