#!/usr/bin/env bash
# Builds the server image without a Docker daemon or an image registry:
#   1. a Debian bookworm base made with debootstrap (once; kept as the local image
#      $LATCHKEY_IMAGE_BASE and its root file system cached under .cache/image/),
#   2. services/server/Dockerfile built on it with buildah (chroot isolation; Docker format,
#      which keeps the HEALTHCHECK).
#
#   bash scripts/image/build.sh            # prints the image name on stdout
#
# Env: LATCHKEY_IMAGE (tag, default localhost/latchkey:dev), LATCHKEY_IMAGE_BASE
# (default localhost/latchkey-base:bookworm; a registry's debian:bookworm-slim works too),
# LATCHKEY_DEBIAN_MIRROR (debootstrap's mirror; default: debootstrap's own),
# LATCHKEY_IMAGE_CA (extra CA bundle for a TLS-inspecting proxy; default: the host's bundle).
# Needs root and `apt-get install -y debootstrap buildah podman`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
image="${LATCHKEY_IMAGE:-localhost/latchkey:dev}"
base="${LATCHKEY_IMAGE_BASE:-localhost/latchkey-base:bookworm}"
cache="$root/.cache/image"

log() { printf 'image: %s\n' "$*" >&2; }

for tool in buildah podman; do
  command -v "$tool" >/dev/null || { log "$tool is missing: apt-get install -y debootstrap buildah podman"; exit 1; }
done

image_exists() { buildah inspect --type image "$1" >/dev/null 2>&1; }

# The base: Debian minbase, slimmed as Debian's own -slim images are (no docs, man pages, apt lists).
if ! image_exists "$base"; then
  [[ "$base" == localhost/* ]] || { log "base image $base is not present (pull it first)"; exit 1; }
  command -v debootstrap >/dev/null || { log "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }
  [ "$(id -u)" -eq 0 ] || { log "debootstrap needs root"; exit 1; }
  tarball="$cache/bookworm-minbase.tar"
  if [ ! -s "$tarball" ]; then
    rootfs="$cache/rootfs"
    rm -rf "$rootfs"
    mkdir -p "$rootfs"
    log "debootstrap --variant=minbase bookworm (a few minutes, once)"
    debootstrap --variant=minbase bookworm "$rootfs" ${LATCHKEY_DEBIAN_MIRROR:+"$LATCHKEY_DEBIAN_MIRROR"} >&2
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
    cat >"$rootfs/etc/apt/apt.conf.d/slim" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
EOF
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "$rootfs"/usr/share/{man,info,locale,lintian}/* "$rootfs"/var/lib/apt/lists/* \
      "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/log/* "$rootfs"/tmp/*
    # The host's name and resolver must not end up in the image.
    : >"$rootfs/etc/resolv.conf"
    echo localhost >"$rootfs/etc/hostname"
    tar --numeric-owner -C "$rootfs" -cf "$tarball.part" .
    mv "$tarball.part" "$tarball"
    rm -rf "$rootfs"
  fi
  log "importing $tarball as $base"
  podman import --change 'CMD ["bash"]' "$tarball" "$base" >&2
fi

ca_args=()
ca="${LATCHKEY_IMAGE_CA:-/etc/ssl/certs/ca-certificates.crt}"
[ -s "$ca" ] && ca_args=(--secret "id=ca_bundle,src=$ca")

log "building $image on $base"
buildah bud --isolation chroot --layers --network host --format docker \
  --build-arg "BASE=$base" "${ca_args[@]}" \
  -f "$root/services/server/Dockerfile" -t "$image" "$root" >&2
log "$image: $(podman image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.1f MB", $1 / 1e6 }') uncompressed"
echo "$image"
