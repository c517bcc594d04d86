#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine: installs docker.io when missing, starts
# dockerd in the background (default runc runtime, log in $DOCKERD_LOG) and waits until
# `docker info` answers. A no-op when the engine already runs. Safe to call concurrently.
set -euo pipefail

DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
WAIT_SECONDS=${DOCKER_WAIT_SECONDS:-60}
LOCK=/run/nodeengine-ensure-docker.lock

engine_answers() { docker info >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && engine_answers; then
  exit 0
fi

# Two callers at once (parallel make, several engineers) must not start two daemons.
exec 9>"$LOCK"
flock -w "$WAIT_SECONDS" 9 || { echo "ensure_docker: could not take $LOCK" >&2; exit 1; }
if command -v docker >/dev/null 2>&1 && engine_answers; then
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure_docker: docker.io is not installed; run as root: apt-get install -y docker.io" >&2
    exit 1
  fi
  echo "ensure_docker: installing docker.io" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "ensure_docker: the Docker engine is not running and only root can start it (sudo $0)" >&2
    exit 1
  fi
  # A stale pid file from a killed daemon makes dockerd refuse to start.
  rm -f /var/run/docker.pid
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  echo "ensure_docker: starting dockerd (log: $DOCKERD_LOG)" >&2
  # setsid: the daemon must outlive this script and the make/CI step that called it.
  setsid nohup dockerd --default-runtime=runc >>"$DOCKERD_LOG" 2>&1 </dev/null &
fi

for _ in $(seq 1 "$((WAIT_SECONDS * 4))"); do
  if engine_answers; then
    exit 0
  fi
  sleep 0.25
done
echo "ensure_docker: dockerd did not answer within ${WAIT_SECONDS}s; last lines of $DOCKERD_LOG:" >&2
tail -n 30 "$DOCKERD_LOG" >&2 || true
exit 1
