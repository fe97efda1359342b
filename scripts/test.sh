#!/usr/bin/env bash
# Runs every test in the repo (turbo runs each package's `test` script) and
# ends with one line: "N passed, N failed, N skipped". Exits non-zero when
# anything failed or no test ran.
#
# Storage suites also run on real Postgres / Redis when these are set:
#   LATCHKEY_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
#   LATCHKEY_TEST_REDIS_URL=redis://127.0.0.1:6379
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=scripts/bootstrap.sh
source scripts/bootstrap.sh || exit 1

# Each package's vitest writes test-artifacts/vitest-<folder>.json; clear the
# last run's so a package that fails to report is noticed, not re-counted.
mkdir -p test-artifacts
rm -f test-artifacts/vitest-*.json

status=0
pnpm test "$@" || status=$?

node scripts/summarize-tests.mjs --run-exit-code="$status"
