#!/usr/bin/env bash
# Installs what is missing, then runs the server on its embedded defaults:
# PGlite in ./.latchkey, in-process store, http://localhost:$PORT (3000).
# Configure with the environment variables listed in README.md; arguments
# go to `latchkey start` (e.g. --migrate).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=scripts/bootstrap.sh
source scripts/bootstrap.sh || exit 1

printf 'start: Latchkey at %s (Ctrl-C stops it)\n' "${LATCHKEY_ISSUER:-http://localhost:${PORT:-3000}}" >&2

# pnpm runs the server through `sh -c` layers that do not pass signals on, so
# a SIGTERM to this script alone would orphan the server. Run it in its own
# process group and forward INT/TERM/HUP to the whole group.
set -m
pnpm start "$@" &
server=$!
set +m
trap 'kill -TERM -- "-$server" 2>/dev/null || true' INT TERM HUP
status=0
wait "$server" || status=$?
# A trapped signal interrupts `wait`; wait again for the graceful shutdown.
while kill -0 "$server" 2>/dev/null; do
  status=0
  wait "$server" || status=$?
done
exit "$status"
