#!/usr/bin/env bash
# Runs the server image as a container runtime would, where only buildah works
# (`podman run` fails here on setrlimit): chroot isolation, the host's network.
#
#   bash scripts/image/run.sh [options] [--] [args…]
#     -e NAME=VALUE   set an environment variable (repeatable)
#     -v SRC:DST      bind-mount a host folder (repeatable)
#     --tmpfs DST     mount an empty tmpfs (repeatable; e.g. /tmp with --read-only)
#     --read-only     the image's root file system is mounted read-only
#     --exec          run args as the command itself instead of the image's entrypoint
#   args default to the image's CMD (`start`), after its ENTRYPOINT (tini -- latchkey).
#
# e.g.  bash scripts/image/run.sh -e DATABASE_URL=postgres://… migrate latest
# Env: LATCHKEY_IMAGE (default localhost/latchkey:dev). Needs root.
set -euo pipefail
image="${LATCHKEY_IMAGE:-localhost/latchkey:dev}"

run_args=()
read_only=0
exec_mode=0
while [ $# -gt 0 ]; do
  case "$1" in
    -e) run_args+=(--env "$2"); shift 2 ;;
    -v) run_args+=(--volume "$2"); shift 2 ;;
    --tmpfs) run_args+=(--mount "type=tmpfs,destination=$2,tmpfs-mode=1777"); shift 2 ;;
    --read-only) read_only=1; shift ;;
    --exec) exec_mode=1; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done

config() { buildah inspect --type image --format "{{range .Docker.Config.$1}}{{println .}}{{end}}" "$image"; }
command=()
if [ "$exec_mode" -eq 0 ]; then
  mapfile -t command < <(config Entrypoint)
  if [ $# -eq 0 ]; then mapfile -t defaults < <(config Cmd); set -- "${defaults[@]}"; fi
fi
command+=("$@")
[ "${#command[@]}" -gt 0 ] || { echo "run.sh: no command" >&2; exit 2; }

user="$(buildah inspect --type image --format '{{.Docker.Config.User}}' "$image")"
container="$(buildah from --quiet --pull=false "$image")"
cleanup() { buildah rm "$container" >/dev/null 2>&1 || true; rm -f "${errors:-}"; }
trap cleanup EXIT

if [ "$read_only" -eq 1 ]; then
  # A read-only root as `docker run --read-only` gives: the container's own mount, remounted.
  rootfs="$(buildah mount "$container")"
  # Mount points buildah creates at run time must exist before the root turns read-only.
  mkdir -p "$rootfs/run" && touch "$rootfs/run/.containerenv"
  mount -o remount,ro "$rootfs"
fi

# Forward TERM/INT so the entrypoint (tini) sees them and the server shuts down gracefully.
errors="$(mktemp)"
buildah run --isolation chroot --network host ${user:+--user "$user"} "${run_args[@]}" \
  "$container" -- "${command[@]}" 2>"$errors" &
child=$!
# buildah run kills its command on SIGTERM rather than passing it on: signal the container's
# first process (tini, PID 1 under a real runtime) directly, below buildah's own helpers.
forward() {
  local pid="$child" next
  while next="$(pgrep -P "$pid" | head -n 1)" && [ -n "$next" ]; do
    pid="$next"
    case "$(cat "/proc/$pid/comm" 2>/dev/null)" in buildah* | memfd:buildah*) ;; *) break ;; esac
  done
  kill -"$1" "$pid" 2>/dev/null || true
}
trap 'forward TERM' TERM
trap 'forward INT' INT
status=0
wait "$child" || status=$?
# A forwarded signal interrupts the first wait; the second collects the real exit status.
if kill -0 "$child" 2>/dev/null; then status=0; wait "$child" || status=$?; fi
cat "$errors" >&2
# buildah 1.28 panics (exit 2) cleaning up after a command on a read-only root; the command's
# own failure is always reported as "subprocess exited …" before that.
if [ "$read_only" -eq 1 ] && [ "$status" -eq 2 ] && grep -q '^panic:' "$errors" && ! grep -q 'subprocess exited' "$errors"; then
  status=0
fi
exit "$status"
