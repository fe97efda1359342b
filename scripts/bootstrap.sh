# shellcheck shell=bash
# Makes the toolchain and dependencies ready: Node >= 22.18 (runs .ts files unflagged), pnpm 10, `pnpm install`.
#
#   source scripts/bootstrap.sh   # as start.sh / test.sh / .ci/run do: PATH changes stay
#   bash scripts/bootstrap.sh     # just install
#
# Idempotent. The machines ship Node 20 and no pnpm (corepack cannot verify
# the registry's metadata here), so both come from the npm registry into
# .tools/ inside the repo (gitignored); nothing outside the repo is touched.
# Everything it says goes to stderr so stdout stays free for the caller.
# Written to be sourced into shells running `set -euo pipefail`: it checks
# each step itself and never changes the caller's shell options.

_lk_log() { printf 'bootstrap: %s\n' "$*" >&2; }

# True when version $1 (x.y.z) is at least $2.
_lk_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

# The version a tool reports, or nothing when it is missing or broken.
_lk_node_version() { node -p 'process.versions.node' 2>/dev/null || true; }
_lk_pnpm_version() { pnpm --version 2>/dev/null || true; }

# Puts .tools/bin first on PATH (once).
_lk_use_tools() {
  local bin="$1/bin"
  case "${PATH:-}" in
    "$bin" | "$bin":*) ;;
    *) export PATH="$bin${PATH:+:$PATH}" ;;
  esac
  hash -r
}

# npm install -g into .tools; run from inside .tools so the repo's .npmrc
# (pnpm settings npm does not know) stays out of it.
_lk_npm_install() {
  local tools="$1"
  shift
  if ! command -v npm >/dev/null 2>&1; then
    _lk_log "npm is missing: install Node.js >= 22.18 (or any Node with npm) and run again"
    return 1
  fi
  mkdir -p "$tools" || return 1
  _lk_log "installing $* into ${tools} (npm registry)"
  (cd "$tools" && npm install --global --prefix "$tools" --no-audit --no-fund --loglevel=error "$@" >&2) || {
    _lk_log "npm install $* failed"
    return 1
  }
}

latchkey_bootstrap() {
  local root tools min_node pnpm_spec version
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 1
  tools="$root/.tools"
  min_node="22.18.0"
  # The exact pnpm the repo pins (packageManager), so pnpm never swaps itself at run time.
  pnpm_spec="$(sed -n 's/.*"packageManager": *"\(pnpm@[0-9][^"+]*\).*/\1/p' "$root/package.json" | head -n 1)"
  pnpm_spec="${pnpm_spec:-pnpm@10}"

  export TURBO_TELEMETRY_DISABLED=1

  # Tools installed by an earlier run come first.
  if [ -x "$tools/bin/node" ] || [ -x "$tools/bin/pnpm" ]; then
    _lk_use_tools "$tools"
  fi

  version="$(_lk_node_version)"
  if [ -z "$version" ] || ! _lk_at_least "$version" "$min_node"; then
    _lk_log "node ${version:-missing} is older than ${min_node}: installing Node 24"
    _lk_npm_install "$tools" node@24 "$pnpm_spec" || return 1
    _lk_use_tools "$tools"
    version="$(_lk_node_version)"
    if [ -z "$version" ] || ! _lk_at_least "$version" "$min_node"; then
      _lk_log "installed Node does not run (${tools}/bin/node --version: $("$tools/bin/node" --version 2>&1 || true))"
      return 1
    fi
    _lk_log "using node v${version} from ${tools}/bin"
  fi

  # Native addons must build against the headers of the Node that runs them,
  # not the machine's Node 20 (the machine's npmrc points nodedir at /usr).
  if [ "$(command -v node)" = "$tools/bin/node" ]; then
    local headers
    for headers in "$tools"/lib/node_modules/node/node_modules/node-*; do
      if [ -f "$headers/include/node/node.h" ]; then export npm_config_nodedir="$headers"; fi
    done
  fi

  version="$(_lk_pnpm_version)"
  if [ -z "$version" ] || ! _lk_at_least "$version" "10.0.0"; then
    _lk_log "pnpm ${version:-missing} is older than 10: installing ${pnpm_spec}"
    _lk_npm_install "$tools" "$pnpm_spec" || return 1
    _lk_use_tools "$tools"
    version="$(_lk_pnpm_version)"
    if [ -z "$version" ] || ! _lk_at_least "$version" "10.0.0"; then
      _lk_log "installed pnpm does not run"
      return 1
    fi
    _lk_log "using pnpm ${version} from ${tools}/bin"
  fi

  # The repo's .npmrc keeps pnpm silent (so `pnpm latchkey --json` prints only
  # JSON); installs should still show progress, on stderr.
  _lk_log "pnpm install --frozen-lockfile"
  (cd "$root" && pnpm install --frozen-lockfile --reporter=append-only --config.confirmModulesPurge=false </dev/null >&2) || {
    _lk_log "pnpm install failed"
    return 1
  }
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  latchkey_bootstrap || exit 1
  if [ -x "$(cd "$(dirname "$0")/.." && pwd)/.tools/bin/node" ]; then
    _lk_log "ready; to use these tools in your shell: source scripts/bootstrap.sh"
  fi
else
  latchkey_bootstrap
fi
