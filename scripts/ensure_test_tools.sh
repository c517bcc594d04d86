#!/usr/bin/env bash
# Debian packages the test suite drives besides Docker: Chromium for the browser tests (no tool
# may download its own browser here) and compose, whose `config` validates docker-compose.yml
# (bookworm ships compose v1 as docker-compose). Installed only when missing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! command -v docker-compose >/dev/null 2>&1 && ! docker compose version >/dev/null 2>&1; then
  missing+=(docker-compose)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "ensure_test_tools: missing ${missing[*]}; as root run: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "ensure_test_tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
