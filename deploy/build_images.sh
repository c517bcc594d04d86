#!/usr/bin/env bash
# Builds every image docker-compose.yml needs, on a machine that may reach no container registry:
#   nodeengine-base:bookworm   Debian via debootstrap (scripts/build_base_image.sh)
#   nodeengine-sandbox:latest  the sandbox (scripts/build_sandbox_image.sh)
#   nodeengine-app:latest      web + worker (Dockerfile), Python wheels from deploy/wheelhouse
#   nodeengine-postgres:15, nodeengine-redis:7   from the Debian base (deploy/postgres, deploy/redis)
#
# Where Docker Hub is reachable, none of this is needed: `docker-compose build` with
# BASE_IMAGE=python:3.11-slim and the default postgres:15 / redis:7 images.
#
# Why a wheelhouse: PyPI here is reached through a TLS proxy whose CA only the host trusts.
# BuildKit's `--secret` would lend that CA to the build without baking it in, but this Docker
# (Debian's 20.10 engine, no buildx) only has the classic builder. So the host's pip, which
# trusts the CA, downloads the wheels and the image installs them offline: nothing about the
# CA ends up in any layer.
#
# Usage: deploy/build_images.sh [app|infra|all]   (default all). FORCE=1 rebuilds the app image.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-all}
BASE_IMAGE=${BASE_IMAGE:-nodeengine-base:bookworm}
APP_IMAGE=${APP_IMAGE:-nodeengine-app:latest}
PIP=${PIP:-.venv/bin/pip}
WHEELHOUSE=deploy/wheelhouse
# RUN steps reach Debian's mirror through the host's network: it works whether or not the engine's
# default bridge (docker0) is usable, and the images built are the same.
BUILD_NETWORK=${BUILD_NETWORK:-host}

scripts/ensure_docker.sh
if [ "$BASE_IMAGE" = nodeengine-base:bookworm ]; then
  scripts/build_base_image.sh "$BASE_IMAGE"
fi

build_infra() {
  echo "build_images: nodeengine-postgres:15 and nodeengine-redis:7 from $BASE_IMAGE" >&2
  docker build -q --network "$BUILD_NETWORK" --build-arg "BASE_IMAGE=$BASE_IMAGE" -t nodeengine-postgres:15 deploy/postgres >/dev/null
  docker build -q --network "$BUILD_NETWORK" --build-arg "BASE_IMAGE=$BASE_IMAGE" -t nodeengine-redis:7 deploy/redis >/dev/null
}

fill_wheelhouse() {
  # The project's dependencies (pinned by constraints.txt) plus the build backend for `pip install .`.
  local requirements
  requirements=$(mktemp)
  python3 - >"$requirements" <<'PY'
import tomllib
data = tomllib.load(open("pyproject.toml", "rb"))
print("\n".join(data["project"]["dependencies"]))
print("\n".join(data["build-system"]["requires"]))
# redis needs it on Pythons older than 3.11.3 (Debian bookworm's is 3.11.2), whatever the host runs.
print("async-timeout>=4.0.3")
PY
  echo "build_images: wheels for $(wc -l <"$requirements") requirements into $WHEELHOUSE" >&2
  "$PIP" wheel -q -w "$WHEELHOUSE" -c constraints.txt -r "$requirements"
  rm -f "$requirements"
}

build_app() {
  scripts/build_sandbox_image.sh
  fill_wheelhouse
  echo "build_images: $APP_IMAGE from $BASE_IMAGE" >&2
  docker build -q --network "$BUILD_NETWORK" --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$APP_IMAGE" . >/dev/null
  echo "build_images: built $APP_IMAGE" >&2
}

case "$what" in
  app) build_app ;;
  infra) build_infra ;;
  all) build_infra; build_app ;;
  *) echo "usage: $0 [app|infra|all]" >&2; exit 2 ;;
esac
