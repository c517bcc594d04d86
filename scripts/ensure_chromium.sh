#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through Playwright; no tool may download its own
# browser here, so install the distribution's package when it is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "ensure_chromium: /usr/bin/chromium is missing; as root run: apt-get install -y chromium" >&2
  exit 1
fi
echo "ensure_chromium: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
