#!/usr/bin/env bash
# Builds the sandbox's base image from Debian packages, for machines that cannot pull from a
# registry: debootstrap a minimal bookworm with python3, then `docker import` it.
# Skipped when the image already exists. Usage: build_base_image.sh [IMAGE_TAG]
set -euo pipefail

BASE_TAG=${1:-${NODEENGINE_BASE_IMAGE:-nodeengine-base:bookworm}}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${DEBIAN_SUITE:-bookworm}

if docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
  echo "build_base_image: $BASE_TAG exists, skipping" >&2
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  echo "build_base_image: installing debootstrap" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq debootstrap >/dev/null
fi

rootfs=$(mktemp -d /var/tmp/nodeengine-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "build_base_image: debootstrap $SUITE into $rootfs (about a minute)" >&2
debootstrap --variant=minbase --include=python3 "$SUITE" "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 || {
  tail -n 30 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
rm -f "$rootfs.log"
# Package caches and lists are dead weight in an image that never runs apt.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | docker import - "$BASE_TAG" >/dev/null
echo "build_base_image: imported $BASE_TAG" >&2
