#!/usr/bin/env bash
# Builds the sandbox image (sandbox_image/) that the pool's containers run.
# Offline by default: the base is nodeengine-base:bookworm-data1 from scripts/build_base_image.sh
# (python3 with numpy, pandas and matplotlib from Debian's packages; the tag changes with what it
# holds, so a machine with an older base builds the new one). Elsewhere: any Debian-like image
# whose python3 imports those, e.g. BASE_IMAGE=my-registry/bookworm-data scripts/build_sandbox_image.sh
# The image's `nodeengine.sandbox` label says what scripts get: {"python", "packages": [{"name",
# "version"}]} (docs/rich_output.md, section 3).
# Skipped when the image exists and is newer than sandbox_image/ (FORCE=1 rebuilds).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${SANDBOX_IMAGE:-nodeengine-sandbox:latest}
BASE_IMAGE=${BASE_IMAGE:-nodeengine-base:bookworm-data1}
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

case "$BASE_IMAGE" in
  nodeengine-base:*) scripts/build_base_image.sh "$BASE_IMAGE" ;;
esac
# What the base's python3 offers scripts (the sandbox adds no package of its own).
sandbox_info=$(docker run --rm --network none "$BASE_IMAGE" python3 -I -c '
import importlib.metadata as m, json, platform
names = {}
for d in m.distributions():
    name = d.metadata["Name"]
    if name:
        names.setdefault(name, d.version)
print(json.dumps({"python": platform.python_version(), "packages": [
    {"name": n, "version": v} for n, v in sorted(names.items(), key=lambda i: i[0].lower())]},
    separators=(",", ":")))')
echo "build_sandbox_image: building $IMAGE from $BASE_IMAGE" >&2
docker build -q --build-arg "BASE_IMAGE=$BASE_IMAGE" --label "nodeengine.inputs=$inputs_hash" \
  --label "nodeengine.sandbox=$sandbox_info" -t "$IMAGE" "$CONTEXT" >/dev/null
echo "build_sandbox_image: built $IMAGE" >&2
