#!/usr/bin/env bash
# Builds the sandbox image (sandbox_image/) that the pool's containers run.
# Offline by default: the base is nodeengine-base:bookworm from scripts/build_base_image.sh.
# Elsewhere: BASE_IMAGE=python:3.11-slim scripts/build_sandbox_image.sh
# Skipped when the image exists and is newer than sandbox_image/ (FORCE=1 rebuilds).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${SANDBOX_IMAGE:-nodeengine-sandbox:latest}
BASE_IMAGE=${BASE_IMAGE:-nodeengine-base:bookworm}
CONTEXT=sandbox_image

# The image carries a label with a hash of its build inputs: rebuild only when they changed.
# Inputs: the base image's name and every file of the build context (names and contents), so a
# module added next to runner.py counts without anyone listing it here.
inputs_hash=$( (echo "$BASE_IMAGE"; cd "$CONTEXT" \
  && find . -type f ! -name '*.pyc' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) \
  | sha256sum | cut -c1-16)
current=$(docker image inspect -f '{{ index .Config.Labels "nodeengine.inputs" }}' "$IMAGE" 2>/dev/null || true)
if [ "${FORCE:-0}" != 1 ] && [ "$current" = "$inputs_hash" ]; then
  echo "build_sandbox_image: $IMAGE is up to date" >&2
  exit 0
fi

if [ "$BASE_IMAGE" = nodeengine-base:bookworm ]; then
  scripts/build_base_image.sh "$BASE_IMAGE"
fi
echo "build_sandbox_image: building $IMAGE from $BASE_IMAGE" >&2
docker build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" --label "nodeengine.inputs=$inputs_hash" \
  -t "$IMAGE" "$CONTEXT" >/dev/null
echo "build_sandbox_image: built $IMAGE" >&2
